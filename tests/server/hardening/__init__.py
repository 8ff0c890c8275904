"""API hardening: every limit at its boundary, refused before any resolver runs.

A refused operation must cost no database work, so the tests that refuse one count the
SQL statements sent while it is handled (anonymous requests send none of their own).
"""
