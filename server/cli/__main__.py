"""``python -m server.cli``: the ``kyodo`` command without its console script."""

from kyodo.server.cli import app

app()
