"""Exchanging data with other municipal systems and spreadsheets (issue 5).

Imports: ``reading`` turns a file (CSV in UTF-8 or Shift_JIS, XLSX, JSON, JSON Lines)
into rows that remember their file line (``source``; CSV and XLSX by ``sheets``, headers
and values by ``columns``); ``partners_import`` (rows by ``partner_rows``) and
``agreements_import`` (``agreement_layout``, ``agreement_parties``, ``agreement_rows``,
``agreement_matching``, ``agreement_plan``, ``agreement_writes``) map those rows onto the
partners and agreements domain commands, all or nothing, and report problems by line and
column as the file's author wrote them.

Exports: the ``exports`` package, one module a list, and ``disaster_exports``. Backup:
``dump`` (with ``dump_codecs``, ``dump_reader``) and ``dump_restore``.
"""
