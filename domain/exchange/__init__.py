"""Exchanging data with other municipal systems and spreadsheets (issue 5).

Imports: ``reading`` turns a file (CSV in UTF-8 or Shift_JIS, JSON, JSON Lines) into
rows that remember their file line; ``partners_import`` and ``agreements_import`` map
those rows onto the partners and agreements domain commands, all or nothing, and report
problems by line and column as the file's author wrote them.
"""
