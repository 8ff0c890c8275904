"""The demo data: it loads completely and idempotently, and it stays plainly fictional.

These tests make their own SQLite databases (migrated with Alembic) instead of using the
shared fixtures, so they also check the loader against an empty schema.
"""
