"""kyodo: the GraphQL backend of a city's citizen–city collaboration (協働).

Everything installs under this one name (``kyodo.server``, ``kyodo.schema``,
``kyodo.domain``, ``kyodo.seeds``, ``kyodo.migrations``), so ``pip install kyodo`` never
clashes with another distribution's top-level ``schema`` or ``server``. In the checkout
the code stays in the top-level folders the layout guide names (docs/ARCHITECTURE.md);
``kyodo/<name>`` are links to them, and code imports them only as ``kyodo.<name>``
(``ruff`` refuses the bare names).
"""
