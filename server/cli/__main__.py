"""``python -m server.cli``: the ``kyodo`` command without its console script."""

from server.cli import app

app()
