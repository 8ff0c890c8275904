"""The write step of a bulk partner upsert: set-based statements, whatever the row count.

``domain.partners.upsert.upsert_partners`` validates every row in Python and plans
what each one does (create, update, leave alone); this module writes the plan with a
fixed number of multi-row statements instead of several per row:

- new partners: ``domain.bulk_writes.insert_many`` (``INSERT … SELECT FROM unnest(…)
  RETURNING id`` on PostgreSQL, one executemany on SQLite);
- changed partners: ``domain.bulk_writes.write_many``, the version-guarded UPDATE for many
  rows (``UPDATE … FROM unnest(…)`` on PostgreSQL, one executemany on SQLite);
- their fields and contacts: one DELETE per child table for the partners whose lists
  are replaced, then one ``insert_many`` per child table.

The batch's audit event (who was created, what changed for whom) is written by the
caller, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.base import is_set, utcnow
from kyodo.domain.bulk_writes import among, insert_many, write_many
from kyodo.domain.enums import PartnerStatus
from kyodo.domain.partners.inputs import ContactData
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.partners.service import derived_columns
from kyodo.domain.reference.models import CollaborationField

IDS_PER_STATEMENT = 5000
"""Ids in one ``IN (…)`` list (SQLite and asyncpg take 32,766 parameters a statement)."""

_PARTNERS: sa.Table = Partner.__table__  # type: ignore[attr-defined]
_FIELDS: sa.Table = PartnerField.__table__  # type: ignore[attr-defined]
_CONTACTS: sa.Table = Contact.__table__  # type: ignore[attr-defined]


@dataclass
class PlannedRow:
    """One input row and what it does: ``match`` None creates, else ``changes`` (empty:
    unchanged) updates the matched partner."""

    data: Any  # PartnerData (domain.partners.inputs)
    match: Any  # the stored partner's row (columns by attribute), or None
    changes: dict[str, Any]


def partner_columns(
    scalar_fields: Sequence[str], stored: Mapping[str, Any] | None, data: Any
) -> dict[str, Any]:
    """Every column of the partner once ``data`` is applied to ``stored`` (None: a new
    partner with the model's defaults), derived columns included."""
    if stored is None:
        values: dict[str, Any] = dict.fromkeys(scalar_fields)
        values["status"] = PartnerStatus.ACTIVE
    else:
        values = dict(stored)
    values.update(data.scalars())
    values.update(derived_columns(values["name"], values["name_kana"]))
    return values


def stored_columns(partner: Any, scalar_fields: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(partner, name) for name in scalar_fields}


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + IDS_PER_STATEMENT] for i in range(0, len(items), IDS_PER_STATEMENT)]


async def write_plan(
    session: AsyncSession,
    plan: Sequence[PlannedRow],
    *,
    scalar_fields: Sequence[str],
    code_ids: Mapping[str, int],
) -> tuple[list[int], list[int], dict[str, Any]]:
    """Write the plan; returns the partner ids in input order, the created ids (input
    order) and the changes of each updated partner by id (for the audit event)."""
    now = utcnow()
    created = [row for row in plan if row.match is None]
    inserted = await insert_many(
        session,
        _PARTNERS,
        [
            partner_columns(scalar_fields, None, row.data)
            | {"version": 1, "created_at": now, "updated_at": now}
            for row in created
        ],
        returning=("id", "external_id", "corporate_number"),
    )
    # Every new row has an external id or a corporate number, unique in the batch.
    by_key = {(external or corporate): pk for pk, external, corporate in inserted}
    new_ids = [by_key[row.data.external_id or row.data.corporate_number] for row in created]
    new_id_of = {id(row): pk for row, pk in zip(created, new_ids, strict=True)}

    changed = [row for row in plan if row.match is not None and row.changes]
    await write_many(
        session,
        Partner,
        [
            (
                _pk(row.match),
                row.match.version,
                partner_columns(scalar_fields, stored_columns(row.match, scalar_fields), row.data),
            )
            for row in changed
            if row.match is not None
        ],
    )

    replace_fields = [_pk(r.match) for r in changed if is_set(r.data.field_codes)]
    replace_contacts = [_pk(r.match) for r in changed if is_set(r.data.contacts)]
    for ids in _chunks(replace_fields):
        await session.execute(sa.delete(_FIELDS).where(among(session, _FIELDS.c.partner_id, ids)))
    for ids in _chunks(replace_contacts):
        await session.execute(
            sa.delete(_CONTACTS).where(
                among(session, _CONTACTS.c.partner_id, ids), _CONTACTS.c.agreement_id.is_(None)
            )
        )
    field_rows: list[dict[str, Any]] = []
    contact_rows: list[dict[str, Any]] = []
    for row in plan:
        if row.match is None:
            pk = new_id_of[id(row)]
        elif row.changes:
            pk = _pk(row.match)
        else:
            continue
        if row.match is None or is_set(row.data.field_codes):
            field_rows += [
                {"partner_id": pk, "field_id": code_ids[c]} for c in row.data.field_codes or []
            ]
        if (row.match is None or is_set(row.data.contacts)) and row.data.contacts:
            contact_rows += [
                {"partner_id": pk, "agreement_id": None, "position": i, **vars(c)}
                for i, c in enumerate(row.data.contacts)
            ]
    await insert_many(session, _FIELDS, field_rows)
    await insert_many(session, _CONTACTS, contact_rows)

    ids = [new_id_of[id(row)] if row.match is None else _pk(row.match) for row in plan]
    updated = {str(_pk(row.match)): row.changes for row in changed}
    return ids, new_ids, updated


async def load_partners(session: AsyncSession, ids: Sequence[int]) -> list[Partner]:
    """The partners ``ids`` as stored now, in that order (a few statements however many)."""
    loaded: dict[int, Partner] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = await session.execute(
            sa.select(Partner)
            .where(among(session, col(Partner.id), chunk))
            .execution_options(populate_existing=True)
        )
        loaded.update((p.id, p) for p in rows.scalars() if p.id is not None)
    return [loaded[pk] for pk in ids]


def _pk(partner: Any) -> int:
    assert partner is not None and partner.id is not None
    return partner.id


CONTACT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ContactData))
"""A partner's own contact as :func:`stored_children` gives it: these columns, in order
(``ContactData``'s fields)."""


async def stored_children(
    session: AsyncSession, partner_ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[tuple[Any, ...]]]]:
    """Field codes (sorted) and own contacts (tuples of :data:`CONTACT_COLUMNS`, by
    position) of many partners, in two statements, as plain values: a bulk upsert
    compares those of 10,000 partners (every id has both lists, maybe empty)."""
    codes_of: dict[int, list[str]] = {pid: [] for pid in partner_ids}
    contacts_of: dict[int, list[tuple[Any, ...]]] = {pid: [] for pid in partner_ids}
    if not partner_ids:
        return codes_of, contacts_of
    codes = await session.execute(
        sa.select(col(PartnerField.partner_id), col(CollaborationField.code))
        .join(CollaborationField, col(PartnerField.field_id) == col(CollaborationField.id))
        .where(among(session, col(PartnerField.partner_id), partner_ids))
    )
    for pid, code in codes:
        codes_of[pid].append(code)
    for listed in codes_of.values():
        listed.sort()
    table = Contact.__table__  # type: ignore[attr-defined]
    # Plain rows, not ORM objects: a bulk upsert reads the contacts of 10,000 partners.
    contacts = await session.execute(
        sa.select(table.c.partner_id, *(table.c[name] for name in CONTACT_COLUMNS))
        .where(among(session, table.c.partner_id, partner_ids), table.c.agreement_id.is_(None))
        .order_by(table.c.partner_id, table.c.position, table.c.id)
    )
    for row in contacts:
        contacts_of[row[0]].append(row[1:])
    return codes_of, contacts_of


def contact_dict(values: Sequence[Any]) -> dict[str, Any]:
    """A contact of :func:`stored_children` by column name, as the audit log records it."""
    return dict(zip(CONTACT_COLUMNS, values, strict=True))


async def children_of(
    session: AsyncSession, partner_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Field codes and contacts (by column name) of many partners in two statements, as
    the audit log records them."""
    codes_of, contacts_of = await stored_children(session, partner_ids)
    return {
        pid: {
            "field_codes": codes_of[pid],
            "contacts": [contact_dict(c) for c in contacts_of[pid]],
        }
        for pid in partner_ids
    }
