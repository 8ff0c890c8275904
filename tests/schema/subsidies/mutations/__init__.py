"""Subsidy mutations through the API (rule 10, 第3章(6); rule 15).

Every refused mutation is checked for its exact code and field path, and for having
changed nothing: the row, its expense lines and the audit log read the same after.
Setup rows are committed (the test's savepoint is released) before the mutation runs,
so a refused mutation's rollback cannot take them with it.
"""
