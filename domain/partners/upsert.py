"""The idempotent bulk upsert of partners (``partnersUpsert``, ``kyodo import partners``):
every row validated in Python, then written set-based (``domain.partners.bulk``).
"""

from __future__ import annotations

import uuid
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter, itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.audit.log import diff, record_event, snapshot
from kyodo.domain.base import UNSET, is_set
from kyodo.domain.bulk_writes import among
from kyodo.domain.errors import WHOLE, ErrorCode
from kyodo.domain.partners.bulk import (
    CONTACT_COLUMNS,
    PlannedRow,
    contact_dict,
    load_partners,
    stored_children,
    write_plan,
)
from kyodo.domain.partners.inputs import (
    SCALAR_FIELDS,
    ContactData,
    PartnerData,
    check_codes_known,
    codes_to_ids,
    validate,
)
from kyodo.domain.partners.models import Contact, Partner


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    partners: list[Partner] = field(default_factory=list)


def _contact_dict(contact: Contact | ContactData) -> dict[str, Any]:
    return {f.name: getattr(contact, f.name) for f in fields(ContactData)}


def _changes(
    data: PartnerData, match: Any, codes: list[str], contacts: list[tuple[Any, ...]]
) -> dict[str, Any]:
    """What the row changes in the stored partner ``match`` (with its field ``codes`` and
    ``contacts`` as :func:`stored_children` reads them), as the audit event records it:
    {field: {"before", "after"}}."""
    before = snapshot(match, SCALAR_FIELDS) | {
        "field_codes": codes,
        "contacts": [contact_dict(c) for c in contacts],
    }
    desired = dict(before)
    desired.update(snapshot(data, data.scalars().keys()))
    if is_set(data.field_codes) and data.field_codes is not None:
        desired["field_codes"] = sorted(data.field_codes)
    if is_set(data.contacts) and data.contacts is not None:
        desired["contacts"] = [_contact_dict(c) for c in data.contacts]
    return diff(before, desired)


_STORED_COLUMNS = ("id", "version", *SCALAR_FIELDS)
_Stored: Any = namedtuple("_Stored", _STORED_COLUMNS)  # type: ignore[misc]
"""A stored partner as :func:`_existing` reads it: a tuple whose columns are also
attributes at C speed (a SQLAlchemy Row's are a Python ``__getattr__``, and a re-run
reads several of each of 10,000); :func:`_same` compares its scalars as ``[2:]``."""

_SENT_SCALARS = itemgetter(*SCALAR_FIELDS)
"""A row's scalar values (``vars`` of its PartnerData) in ``SCALAR_FIELDS`` order, the
order of the stored ones in :data:`_Stored` (after id and version)."""
_CONTACT_VALUES = attrgetter(*CONTACT_COLUMNS)
"""A ContactData's values as :func:`stored_children` gives a stored contact."""


def _same(data: PartnerData, match: Any, codes: list[str], contacts: list[tuple[Any, ...]]) -> bool:
    """True when the row sends only what is stored: then :func:`_changes` is empty. A
    plain ``==`` per value, on tuples (a re-run compares 10,000 rows), so False may still
    mean unchanged (an enum against its stored value): :func:`_changes` decides those."""
    sent = _SENT_SCALARS(vars(data))
    stored = match[2:]
    if sent != stored:
        for value, old in zip(sent, stored, strict=True):
            if value is not UNSET and value != old:
                return False
    sent_codes = data.field_codes
    if is_set(sent_codes) and sent_codes is not None and sorted(sent_codes) != codes:
        return False
    sent_contacts = data.contacts
    return not (
        is_set(sent_contacts)
        and sent_contacts is not None
        and list(map(_CONTACT_VALUES, sent_contacts)) != contacts
    )


async def upsert_partners(
    session: AsyncSession,
    *,
    rows: Sequence[PartnerData],
    dry_run: bool,
    actor: str,
    max_rows: int | None = v.MAX_BULK,
    with_partners: bool = True,
    row_name: Callable[[int], str] = lambda index: f"{index + 1}行目",
) -> UpsertResult:
    """Idempotent bulk load for integration scripts: all rows or none.

    Rows are keyed by externalId, else corporateNumber. Every row is validated before
    anything is written; any problem (reported with the row's index in its path) means
    nothing is written. Rows equal to what is stored count as unchanged, so running the
    same payload twice creates nothing the second time. ``max_rows`` caps a call (the
    API's 1000); the file importer (domain.exchange) sets its own cap, and asks no
    ``partners`` back (``with_partners=False``). ``row_name`` says how messages name a
    row by its index ("3行目"; the importer names the file's line).
    """
    problems = v.Problems()
    if max_rows is not None and len(rows) > max_rows:
        problems.add(
            ErrorCode.INVALID,
            f"一度に登録できるのは{max_rows}件までです（{len(rows)}件）。",
            WHOLE,
        )
        problems.raise_if_any()
    cleaned: list[PartnerData] = []
    for i, row in enumerate(rows):
        data, row_problems = validate(row, creating=True)
        problems.extend([problem.in_row(i) for problem in row_problems.items])
        if not data.external_id and not data.corporate_number:
            problems.add(
                ErrorCode.REQUIRED,
                "外部IDか法人番号のどちらかを指定してください（同じデータを見分けるために使います）。",
                "external_id",
                row=i,
            )
        cleaned.append(data)
    _check_batch_duplicates(cleaned, problems, row_name)

    all_codes = sorted({c for d in cleaned if d.field_codes for c in d.field_codes})
    code_ids = await codes_to_ids(session, all_codes)
    for i, data in enumerate(cleaned):
        check_codes_known(problems, data.field_codes or [], code_ids, "field_codes", row=i)

    by_external, by_corporate = await _existing(session, cleaned)
    matches: list[Any] = []
    for i, data in enumerate(cleaned):
        match = by_external.get(data.external_id) if data.external_id else None
        if match is None and data.corporate_number:
            candidate = by_corporate.get(data.corporate_number)
            if candidate is not None and candidate.external_id and data.external_id:
                problems.add(
                    ErrorCode.DUPLICATE,
                    f"法人番号「{data.corporate_number}」は外部ID「{candidate.external_id}」の"
                    f"「{candidate.name}」に登録済みです。",
                    "corporate_number",
                    row=i,
                )
            match = candidate
        elif match is not None and data.corporate_number:
            holder = by_corporate.get(data.corporate_number)
            if holder is not None and holder.id != match.id:
                problems.add(
                    ErrorCode.DUPLICATE,
                    f"法人番号「{data.corporate_number}」は既に「{holder.name}」に登録されています。",
                    "corporate_number",
                    row=i,
                )
        matches.append(match)
    problems.raise_if_any()

    codes_of, contacts_of = await stored_children(session, [m.id for m in matches if m is not None])
    result = UpsertResult()
    plan: list[PlannedRow] = []
    for data, match in zip(cleaned, matches, strict=True):
        if match is None:
            result.created += 1
            plan.append(PlannedRow(data, None, {}))
            continue
        codes, contacts = codes_of[match.id], contacts_of[match.id]
        changes = (
            {} if _same(data, match, codes, contacts) else _changes(data, match, codes, contacts)
        )
        if changes:
            result.updated += 1
        else:
            result.unchanged += 1
        plan.append(PlannedRow(data, match, changes))
    if dry_run:
        return result

    ids, created_ids, updated = await write_plan(
        session, plan, scalar_fields=list(SCALAR_FIELDS), code_ids=code_ids
    )
    if with_partners:
        result.partners = await load_partners(session, ids)
    await record_event(
        session,
        actor=actor,
        action="partners.upsert",
        # A batch is not one partner: the event names the batch and lists every partner.
        entity_type="PartnerBatch",
        entity_id=uuid.uuid4().hex,
        changes={
            "created": created_ids,
            "updated": updated,
            "unchanged": result.unchanged,
        },
    )
    return result


def _check_batch_duplicates(
    rows: Sequence[PartnerData], problems: v.Problems, row_name: Callable[[int], str]
) -> None:
    for name, label in (("external_id", "外部ID"), ("corporate_number", "法人番号")):
        first_seen: dict[str, int] = {}
        for i, data in enumerate(rows):
            value = getattr(data, name)
            if not value:
                continue
            if value in first_seen:
                problems.add(
                    ErrorCode.DUPLICATE,
                    f"{label}「{value}」が{row_name(first_seen[value])}と重複しています。",
                    name,
                    row=i,
                )
            else:
                first_seen[value] = i


async def _existing(
    session: AsyncSession, rows: Sequence[PartnerData]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored partners the rows name, by external id and by corporate number: plain
    tuples (:data:`_Stored`), not ORM objects, as a bulk load reads 10,000, and only
    the columns the upsert reads (id, version and the ones a row may set: what
    :func:`_same`, :func:`_changes`, the messages and the write step look at)."""
    externals = [d.external_id for d in rows if d.external_id]
    corporates = [d.corporate_number for d in rows if d.corporate_number]
    conditions = []
    if externals:
        conditions.append(among(session, col(Partner.external_id), externals))
    if corporates:
        conditions.append(among(session, col(Partner.corporate_number), corporates))
    if not conditions:
        return {}, {}
    table = Partner.__table__  # type: ignore[attr-defined]
    compared = [table.c[name] for name in _STORED_COLUMNS]
    result = await session.execute(sa.select(*compared).where(sa.or_(*conditions)))
    found: list[Any] = list(map(_Stored._make, result))
    return (
        {p.external_id: p for p in found if p.external_id},
        {p.corporate_number: p for p in found if p.corporate_number},
    )
