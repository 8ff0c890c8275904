"""Endorsement mutations through the API (rule 11, 第3章(7); rule 15).

Every refused mutation is checked for its exact code and field path, and for having
changed nothing: the row and the audit log read the same after. Setup rows are
committed before the mutation runs, so a refused mutation's rollback keeps them.
"""
