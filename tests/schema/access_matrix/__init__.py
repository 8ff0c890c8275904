"""The authorisation matrix (schema/permissions.py), field by field and role by role.

Three tables below are the matrix as the API enforces it: every Query, Mutation and
Subscription field, for PUBLIC, STAFF (of the owning department, and of another one, for
mutations), DISASTER_OFFICE, INTEGRATION and ADMIN. An allowed call succeeds; a refused
query or subscription is a top-level FORBIDDEN error on its field; a refused mutation
returns FORBIDDEN in its payload and changes nothing (rows, the target's version, the
audit log).

Then the node lookups and nested fields through which PUBLIC could otherwise reach what
the matrix withholds: unpublished collaborations, individuals (volunteers), contact data,
and internal records (subsidies, endorsements, proposals, audit events).
"""
