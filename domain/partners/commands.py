"""Changing partners: create, update, bulk upsert, delete-or-deactivate (rules 14, 15).

Every function flushes and never commits; the caller commits once. Each writes exactly
one audit event describing what it changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import validation as v
from domain.agreements.models import AgreementParty
from domain.audit.log import diff, record_event, snapshot
from domain.base import UNSET, is_set
from domain.collaborations.models import Participation
from domain.endorsements.models import EndorsementApplication
from domain.enums import PartnerKind, PartnerStatus
from domain.errors import WHOLE, DomainError, ErrorCode, at
from domain.japanese import is_valid_corporate_number, normalize_corporate_number
from domain.partners.bulk import (
    PlannedRow,
    load_partners,
    partner_columns,
    stored_columns,
    write_plan,
)
from domain.partners.models import Contact, Partner, PartnerField
from domain.partners.service import refresh_derived_fields
from domain.proposals.models import Proposal
from domain.reference.models import CollaborationField
from domain.subsidies.models import SubsidyApplication
from domain.versioning import get_or_raise
from domain.writes import Audited, among, fields_snapshot

ENTITY = "Partner"
LABEL = "パートナー"

# Scalar columns a caller may set, and their Japanese labels for messages.
SCALAR_FIELDS: dict[str, str] = {
    "kind": "種別",
    "name": "名称",
    "name_kana": "フリガナ",
    "corporate_number": "法人番号",
    "external_id": "外部ID",
    "status": "状態",
    "district": "地区",
    "representative": "代表者",
    "postal_code": "郵便番号",
    "prefecture": "都道府県",
    "city": "市区町村",
    "street": "番地",
    "phone": "電話番号",
    "email": "メールアドレス",
    "website": "ウェブサイト",
}
ADDRESS_FIELDS = ("postal_code", "prefecture", "city", "street")


@dataclass
class ContactData:
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    available_around_the_clock: bool = False
    is_emergency_contact: bool = False


@dataclass
class PartnerData:
    """A partner as a caller describes it. Fields left UNSET are not touched on update."""

    kind: Any = UNSET
    name: Any = UNSET
    name_kana: Any = UNSET
    corporate_number: Any = UNSET
    external_id: Any = UNSET
    status: Any = UNSET
    district: Any = UNSET
    representative: Any = UNSET
    postal_code: Any = UNSET
    prefecture: Any = UNSET
    city: Any = UNSET
    street: Any = UNSET
    phone: Any = UNSET
    email: Any = UNSET
    website: Any = UNSET
    field_codes: Any = UNSET
    contacts: Any = UNSET

    def scalars(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SCALAR_FIELDS if is_set(getattr(self, name))}


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    partners: list[Partner] = field(default_factory=list)


def field_of(name: str) -> str:
    """The field a problem with the column ``name`` names: the address columns are the
    parts of the partner's address (``"address.postal_code"``)."""
    return at("address", name) if name in ADDRESS_FIELDS else name


def validate(data: PartnerData, *, creating: bool) -> tuple[PartnerData, v.Problems]:
    """Clean and check one partner input; returns the cleaned data and every problem found.

    法人番号 are folded to 13 ASCII digits (full-width digits and hyphens allowed on
    input) and must carry a valid check digit (INVALID_CORPORATE_NUMBER).
    """
    problems = v.Problems()
    out = replace(data)
    for name, label in SCALAR_FIELDS.items():
        value = getattr(data, name)
        if not is_set(value):
            continue
        path = field_of(name)
        column = getattr(Partner, name)
        if name == "name":
            value = v.required_text(
                problems, value, label=label, field=path, max_length=v.max_length(column)
            )
        elif name == "kind":
            if value is None:
                problems.add(ErrorCode.REQUIRED, "種別を選んでください。", path)
            else:
                value = PartnerKind(value)
        elif name == "status":
            value = PartnerStatus(value) if value is not None else PartnerStatus.ACTIVE
        elif name == "corporate_number":
            value = v.clean_text(value)
            if value is not None:
                value = normalize_corporate_number(value)
                if not is_valid_corporate_number(value):
                    problems.add(
                        ErrorCode.INVALID_CORPORATE_NUMBER,
                        f"法人番号「{value}」が正しくありません（13桁の数字で、先頭はチェック用の数字です）。",
                        path,
                    )
        elif name == "email":
            value = v.email(problems, value, field=path, max_length=v.max_length(column))
        elif name == "phone":
            value = v.phone(problems, value, field=path, max_length=v.max_length(column))
        elif name == "postal_code":
            value = v.postal_code(problems, value, field=path)
        elif name == "name_kana":
            # Stored folded (NFKC), so checked folded: one ㌀ is four characters (アパート).
            value = v.optional_text(
                problems, v.nfkc(value), label=label, field=path, max_length=v.max_length(column)
            )
        else:
            value = v.optional_text(
                problems, value, label=label, field=path, max_length=v.max_length(column)
            )
        setattr(out, name, value)
    if creating:
        for name in ("kind", "name"):
            if not is_set(getattr(data, name)):
                problems.add(
                    ErrorCode.REQUIRED,
                    f"{SCALAR_FIELDS[name]}を入力してください。",
                    field_of(name),
                )
    if is_set(data.field_codes) and data.field_codes is not None:
        v.bounded_list(problems, data.field_codes, label="分野", field="field_codes")
        out.field_codes = list(dict.fromkeys(c.strip() for c in data.field_codes))
    if (
        is_set(data.contacts)
        and data.contacts is not None
        and v.bounded_list(problems, data.contacts, label="連絡先", field="contacts")
    ):
        out.contacts = [
            validate_contact(problems, c, prefix=at("contacts", i))
            for i, c in enumerate(data.contacts)
        ]
    return out, problems


def validate_contact(problems: v.Problems, contact: ContactData, *, prefix: str) -> ContactData:
    return ContactData(
        name=v.required_text(
            problems,
            contact.name,
            label="連絡先の氏名",
            field=at(prefix, "name"),
            max_length=v.max_length(Contact.name),
        )
        or "",
        role=v.optional_text(
            problems,
            contact.role,
            label="役職",
            field=at(prefix, "role"),
            max_length=v.max_length(Contact.role),
        ),
        phone=v.phone(
            problems,
            contact.phone,
            field=at(prefix, "phone"),
            max_length=v.max_length(Contact.phone),
        ),
        email=v.email(
            problems,
            contact.email,
            field=at(prefix, "email"),
            max_length=v.max_length(Contact.email),
        ),
        available_around_the_clock=bool(contact.available_around_the_clock),
        is_emergency_contact=bool(contact.is_emergency_contact),
    )


def _check_codes_known(
    problems: v.Problems,
    codes: Sequence[str],
    code_ids: dict[str, int],
    path: str,
    row: int | None = None,
) -> None:
    unknown = [c for c in codes if c not in code_ids]
    if unknown:
        problems.add(
            ErrorCode.NOT_FOUND,
            f"分野コード「{'、'.join(unknown)}」は登録されていません。",
            path,
            row,
        )


async def _field_ids(
    session: AsyncSession, codes: Sequence[str], problems: v.Problems, path: str
) -> list[int]:
    code_ids = await _codes_to_ids(session, codes)
    _check_codes_known(problems, codes, code_ids, path)
    return [code_ids[c] for c in codes if c in code_ids]


async def _check_unique(
    session: AsyncSession,
    data: PartnerData,
    problems: v.Problems,
    *,
    own_id: int | None,
) -> None:
    for name, label in (("corporate_number", "法人番号"), ("external_id", "外部ID")):
        value = getattr(data, name)
        if not is_set(value) or value is None:
            continue
        column = getattr(Partner, name)
        stmt = sa.select(col(Partner.id), col(Partner.name)).where(column == value)
        if own_id is not None:
            stmt = stmt.where(col(Partner.id) != own_id)
        other = (await session.execute(stmt)).first()
        if other is not None:
            problems.add(
                ErrorCode.DUPLICATE,
                f"{label}「{value}」は既に「{other.name}」に登録されています。",
                name,
            )


def _apply(partner: Partner, data: PartnerData) -> None:
    for name, value in data.scalars().items():
        setattr(partner, name, value)
    refresh_derived_fields(partner)


def _changed_columns(partner: Partner, data: PartnerData) -> dict[str, Any]:
    """The columns of ``partner`` once ``data`` is applied, derived ones included, for a
    guarded UPDATE (the loaded row itself stays untouched, so no unguarded flush)."""
    names = list(SCALAR_FIELDS)
    return partner_columns(names, stored_columns(partner, names), data)


async def _replace_children(
    session: AsyncSession, partner_id: int, data: PartnerData, field_ids: list[int] | None
) -> None:
    if field_ids is not None:
        await session.execute(
            sa.delete(PartnerField).where(col(PartnerField.partner_id) == partner_id)
        )
        session.add_all([PartnerField(partner_id=partner_id, field_id=fid) for fid in field_ids])
    if is_set(data.contacts):
        await session.execute(
            sa.delete(Contact).where(
                col(Contact.partner_id) == partner_id, col(Contact.agreement_id).is_(None)
            )
        )
        session.add_all(
            [
                Contact(partner_id=partner_id, position=i, **vars(c))
                for i, c in enumerate(data.contacts or [])
            ]
        )
    await session.flush()


async def _snapshot(session: AsyncSession, partner: Partner) -> dict[str, Any]:
    """The partner as the audit log records it: its columns, field codes and contacts."""
    assert partner.id is not None
    return (
        snapshot(partner, SCALAR_FIELDS) | (await _children_of(session, [partner.id]))[partner.id]
    )


PARTNERS = Audited(Partner, entity_type=ENTITY, label=LABEL, snapshot=_snapshot)


def _contact_dict(contact: Contact | ContactData) -> dict[str, Any]:
    return {f.name: getattr(contact, f.name) for f in fields(ContactData)}


async def create_partner(session: AsyncSession, *, data: PartnerData, actor: str) -> Partner:
    """Register a partner (第2章1)."""
    data, problems = validate(data, creating=True)
    field_ids = await _field_ids(session, data.field_codes or [], problems, "field_codes")
    await _check_unique(session, data, problems, own_id=None)
    problems.raise_if_any()
    partner = Partner(kind=data.kind, name=data.name)
    _apply(partner, data)
    session.add(partner)
    await session.flush()
    assert partner.id is not None
    await _replace_children(session, partner.id, data, field_ids)
    await PARTNERS.created(session, partner, actor=actor, action="partner.create")
    return partner


async def update_partner(
    session: AsyncSession, *, partner_id: int, expected_version: int, data: PartnerData, actor: str
) -> Partner:
    """Change a partner; only the fields the caller sent change (rule 15: expectedVersion)."""
    change = await PARTNERS.begin(session, partner_id, expected_version)
    partner = change.row
    data, problems = validate(data, creating=False)
    field_ids = (
        await _field_ids(session, data.field_codes or [], problems, "field_codes")
        if is_set(data.field_codes)
        else None
    )
    await _check_unique(session, data, problems, own_id=partner_id)
    problems.raise_if_any()
    await change.write(_changed_columns(partner, data))
    await _replace_children(session, partner_id, data, field_ids)
    await change.record(actor=actor, action="partner.update")
    return partner


async def is_referenced(session: AsyncSession, partner_id: int) -> bool:
    """Does any record with history point at this partner?"""
    checks = [
        sa.select(col(AgreementParty.partner_id)).where(
            col(AgreementParty.partner_id) == partner_id
        ),
        sa.select(col(Participation.id)).where(col(Participation.partner_id) == partner_id),
        sa.select(col(SubsidyApplication.id)).where(
            col(SubsidyApplication.applicant_id) == partner_id
        ),
        sa.select(col(EndorsementApplication.id)).where(
            col(EndorsementApplication.organizer_id) == partner_id
        ),
        sa.select(col(Proposal.id)).where(col(Proposal.proposer_id) == partner_id),
        sa.select(col(Contact.id)).where(
            col(Contact.partner_id) == partner_id, col(Contact.agreement_id).is_not(None)
        ),
    ]
    stmt = sa.select(sa.or_(*(sa.exists(c) for c in checks)))
    return bool((await session.execute(stmt)).scalar())


async def delete_partner(
    session: AsyncSession, *, partner_id: int, expected_version: int, actor: str
) -> Partner | None:
    """Delete a partner nobody refers to; deactivate one with history instead (rule 15).

    Returns the deactivated partner, or None when it was deleted.
    """
    change = await PARTNERS.begin(
        session, partner_id, expected_version, snapshot=fields_snapshot(list(SCALAR_FIELDS))
    )
    if await is_referenced(session, partner_id):
        # Only the status changes, so the event records just that.
        await change.write({"status": PartnerStatus.INACTIVE})
        await change.record(actor=actor, action="partner.deactivate")
        return change.row
    await change.delete()
    await change.record(actor=actor, action="partner.delete")
    return None


# ------------------------------------------------------------------ bulk upsert


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
    code_ids = await _codes_to_ids(session, all_codes)
    for i, data in enumerate(cleaned):
        _check_codes_known(problems, data.field_codes or [], code_ids, "field_codes", row=i)

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

    children = await _children_of(
        session, [m.id for m in matches if m is not None and m.id is not None]
    )
    result = UpsertResult()
    plan: list[PlannedRow] = []
    for data, match in zip(cleaned, matches, strict=True):
        if match is None:
            result.created += 1
            plan.append(PlannedRow(data, None, {}))
            continue
        assert match.id is not None
        before = snapshot(match, SCALAR_FIELDS) | children[match.id]
        desired = dict(before)
        desired.update(snapshot(data, data.scalars().keys()))
        if is_set(data.field_codes) and data.field_codes is not None:
            desired["field_codes"] = sorted(data.field_codes)
        if is_set(data.contacts) and data.contacts is not None:
            desired["contacts"] = [_contact_dict(c) for c in data.contacts]
        changes = diff(before, desired)
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


async def _codes_to_ids(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    if not codes:
        return {}
    stmt = sa.select(col(CollaborationField.code), col(CollaborationField.id)).where(
        col(CollaborationField.code).in_(codes)
    )
    return dict((await session.execute(stmt)).all())  # type: ignore[arg-type]


async def _existing(
    session: AsyncSession, rows: Sequence[PartnerData]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored partners the rows name, by external id and by corporate number: plain
    rows (columns by attribute), not ORM objects, as a bulk load reads 10,000."""
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
    found = (await session.execute(sa.select(table).where(sa.or_(*conditions)))).all()
    return (
        {p.external_id: p for p in found if p.external_id},
        {p.corporate_number: p for p in found if p.corporate_number},
    )


async def _children_of(
    session: AsyncSession, partner_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """Field codes and contacts of many partners in two statements."""
    result: dict[int, dict[str, Any]] = {
        pid: {"field_codes": [], "contacts": []} for pid in partner_ids
    }
    if not partner_ids:
        return result
    codes = await session.execute(
        sa.select(col(PartnerField.partner_id), col(CollaborationField.code))
        .join(CollaborationField, col(PartnerField.field_id) == col(CollaborationField.id))
        .where(among(session, col(PartnerField.partner_id), partner_ids))
    )
    for pid, code in codes:
        result[pid]["field_codes"].append(code)
    for item in result.values():
        item["field_codes"].sort()
    names = [f.name for f in fields(ContactData)]
    table = Contact.__table__  # type: ignore[attr-defined]
    # Plain rows, not ORM objects: a bulk upsert reads the contacts of 10,000 partners.
    contacts = await session.execute(
        sa.select(table.c.partner_id, *(table.c[name] for name in names))
        .where(among(session, table.c.partner_id, partner_ids), table.c.agreement_id.is_(None))
        .order_by(table.c.partner_id, table.c.position, table.c.id)
    )
    for pid, *values in contacts:
        result[pid]["contacts"].append(dict(zip(names, values, strict=True)))
    return result


__all__ = [
    "ContactData",
    "DomainError",
    "PartnerData",
    "UpsertResult",
    "create_partner",
    "delete_partner",
    "get_or_raise",
    "update_partner",
    "upsert_partners",
]
