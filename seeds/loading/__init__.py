"""The rooms of ``seeds/loader.py``, which reads the demo files and loads them:

- ``entities``: the entity lists, their tables, natural keys, references and children;
- ``values``: a record's values as column values, the derived columns, ``SeedDataError``;
- ``insert``: ``_Loader``, the pass that inserts the missing records and their children.
"""
