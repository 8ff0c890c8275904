"""The compiled read path's SQL side (issue 9): read models and one statement per root.

A *read model* (:mod:`domain.read.models`) says, per entity, which columns a selection may
ask for, its relations (join condition, order, one or many) and who may see which rows.
A *fetch* (:mod:`domain.read.selection`, read by :mod:`domain.read.fetch`) is what one
selection needs of an entity: some of
its columns and some of its relations, each with its own fetch. It compiles into one
SQLAlchemy Core statement in which the database builds the nested result as JSON
(PostgreSQL ``json_build_array``/``json_agg``, SQLite ``json_array``/``json_group_array``,
:mod:`domain.read.sql`), and comes back as rows with the same attribute names and Python
types as the ORM's (dates as ``date``, enums as members, booleans as ``bool``), so the
domain's own functions (agreement terms, wareki, readiness) apply to them unchanged.

Nothing here knows GraphQL: the schema's compiled path (``schema/compiled``) maps a
GraphQL selection onto fetches, and the filters and orders of the lists come from the
list services themselves (``domain.partners.service``, ``domain.agreements.service``).
"""
