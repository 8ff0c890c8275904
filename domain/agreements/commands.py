"""Changing agreements (協定, 第3章(3)): create, update, conclude, terminate, expire, and
the yearly check of emergency contacts (rules 8, 9, 15).

Lifecycle: DRAFT → NEGOTIATING → IN_FORCE (``conclude_agreement``, from DRAFT or
NEGOTIATING) → EXPIRED (``transition_agreement``, once the term has ended without
renewal) or TERMINATED (``terminate_agreement``, with a reason). Anything else is
INVALID_TRANSITION.

Every function flushes and never commits; the caller commits once. Each writes exactly
one audit event; a refused call raises ``DomainError`` before anything is written, or
the caller rolls back whatever was flushed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import validation as v
from domain.agreements import rules, terms
from domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from domain.audit.log import snapshot
from domain.base import UNSET, is_set
from domain.collaborations.models import Collaboration
from domain.enums import AgreementCategory, AgreementStatus, PartnerStatus, SupportCategory
from domain.errors import DomainError, ErrorCode, Problem
from domain.japanese import normalize_for_search
from domain.partners.commands import ContactData, validate_contact
from domain.partners.models import Contact, Partner
from domain.reference.service import get_department_by_code
from domain.writes import Audited

ENTITY = "Agreement"
LABEL = "協定"

# The agreement's own columns recorded in audit events.
SCALAR_FIELDS = (
    "title",
    "category",
    "status",
    "department_id",
    "collaboration_id",
    "support_details",
    "concluded_on",
    "effective_from",
    "effective_until",
    "auto_renewal",
    "renewal_term_months",
    "notice_days",
    "contacts_verified_on",
    "terminated_on",
    "termination_reason",
    "amends_id",
)


_PARTNER_STATUS_LABELS = {PartnerStatus.INACTIVE: "休止中", PartnerStatus.DISSOLVED: "解散"}

MAX_PARTIES = v.MAX_LIST
"""Counterparties of one agreement, at most (the API's cost estimate relies on it too)."""
MAX_SUPPORT_DETAILS = 4000
MAX_REASON = 2000
# Longer renewal terms are not agreements anyone signs, and a huge one would push the
# term arithmetic of domain.agreements.terms past the calendar's end.
MAX_RENEWAL_TERM_MONTHS = 120


# What a concluded agreement was signed as. Once IN_FORCE these change only by an
# amendment (改正: a new agreement whose amendsId points at this one); the working
# details (title, supportDetails, noticeDays, department, collaboration, emergency
# contacts) may still be corrected in place. Column → GraphQL input name and label.
_FIXED_ONCE_CONCLUDED: dict[str, tuple[str, str]] = {
    "category": ("category", "協定の種類"),
    "party_ids": ("partyIds", "相手方"),
    "support_categories": ("supportCategories", "支援の内容（協定区分）"),
    "effective_from": ("effectiveFrom", "効力の始まる日"),
    "effective_until": ("effectiveUntil", "期間の終わりの日"),
    "auto_renewal": ("autoRenewal", "自動更新"),
    "renewal_term_months": ("renewalTermMonths", "更新の月数"),
    "amends_id": ("amendsId", "改正元の協定"),
}
AMEND_INSTEAD = "締結済みの協定は改正（amendsId を指定した新しい協定）で変更してください。"

_SUPPORT_ORDER = {category: index for index, category in enumerate(SupportCategory)}

# Guards the walk up an amendment chain against a corrupt cycle in stored data.
_MAX_AMENDMENT_CHAIN = 1000


@dataclass
class AgreementContactData(ContactData):
    """An emergency contact the agreement lists; ``partner_id`` is the party it speaks
    for (None: for all parties)."""

    partner_id: int | None = None


@dataclass
class AgreementData:
    """An agreement as a caller describes it (``AgreementInput``).

    The first four are always given. The others left UNSET keep their stored value on
    update (and their default on create); None clears them.
    """

    title: str | None
    category: AgreementCategory
    party_ids: Sequence[int]
    department_code: str
    collaboration_id: Any = UNSET
    support_categories: Any = UNSET
    support_details: Any = UNSET
    effective_from: Any = UNSET
    effective_until: Any = UNSET
    auto_renewal: Any = UNSET
    renewal_term_months: Any = UNSET
    notice_days: Any = UNSET
    emergency_contacts: Any = UNSET
    amends_id: Any = UNSET


@dataclass
class _State:
    """An agreement's editable content after the input is applied, validated as a whole
    (an update that sends only ``autoRenewal`` must still agree with the stored end)."""

    title: str | None
    category: AgreementCategory
    party_ids: list[int]
    department_id: int | None
    collaboration_id: int | None
    support_categories: list[SupportCategory]
    support_details: str | None
    effective_from: date | None
    effective_until: date | None
    auto_renewal: bool
    renewal_term_months: int | None
    notice_days: int | None
    contacts: list[AgreementContactData] | None  # None: keep the stored contacts
    amends_id: int | None

    def columns(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "category": self.category,
            "department_id": self.department_id,
            "collaboration_id": self.collaboration_id,
            "support_details": self.support_details,
            "effective_from": self.effective_from,
            "effective_until": self.effective_until,
            "auto_renewal": self.auto_renewal,
            "renewal_term_months": self.renewal_term_months,
            "notice_days": self.notice_days,
            "amends_id": self.amends_id,
            "search_text": search_text_of(self.title or "", self.support_details),
        }


def search_text_of(title: str, support_details: str | None) -> str:
    """What ``agreements(filter: {search})`` matches, folded like every search."""
    return v.fit(normalize_for_search(f"{title} {support_details or ''}"), Agreement.search_text)


def _pick(value: Any, stored: Any) -> Any:
    return value if is_set(value) else stored


# ------------------------------------------------------------------ validation


async def _check_parties(
    session: AsyncSession,
    party_ids: Sequence[int],
    problems: v.Problems,
    *,
    already_parties: Sequence[int] = (),
) -> list[int] | None:
    """At least one counterparty, at most 100, each an existing partner, none twice.

    A partner that is no longer active (休止中・解散) may stay on an agreement it is
    already party to (history), but is not added as a new counterparty. Returns the
    ids without repeats, or None when the list as a whole was refused.
    """
    path = ["input", "partyIds"]
    if not v.bounded_list(problems, party_ids, label="相手方", field=path, maximum=MAX_PARTIES):
        return None
    if not party_ids:
        problems.add(ErrorCode.REQUIRED, "協定の相手方を1つ以上選んでください。", path)
        return None
    stmt = sa.select(col(Partner.id), col(Partner.name), col(Partner.status)).where(
        col(Partner.id).in_(set(party_ids))
    )
    found = {row.id: row for row in (await session.execute(stmt)).all()}
    seen: set[int] = set()
    for i, pid in enumerate(party_ids):
        at = [*path, str(i)]
        partner = found.get(pid)
        if pid in seen:
            problems.add(ErrorCode.DUPLICATE, "同じ相手方が2回以上選ばれています。", at)
        elif partner is None:
            problems.add(ErrorCode.NOT_FOUND, "指定された相手方のパートナーは見つかりません。", at)
        elif partner.status != PartnerStatus.ACTIVE and pid not in already_parties:
            problems.add(
                ErrorCode.INVALID,
                f"「{partner.name}」は{_PARTNER_STATUS_LABELS.get(partner.status, '休止中')}"
                "のため、新しく相手方に加えることはできません。",
                at,
            )
        seen.add(pid)
    return list(dict.fromkeys(party_ids))


def _check_contacts(
    problems: v.Problems,
    contacts: Sequence[AgreementContactData],
    party_ids: Sequence[int] | None,
    *,
    prefix: Sequence[str],
) -> list[AgreementContactData]:
    """Each contact valid like any contact (氏名, 電話, メール); the party it speaks for
    must be one of the agreement's parties, and is the only party when there is one.
    ``party_ids`` None: the party list was itself refused, so that is not checked."""
    path = list(prefix)
    if not v.bounded_list(problems, contacts, label="緊急連絡先", field=path):
        return []
    only_party = party_ids[0] if party_ids is not None and len(party_ids) == 1 else None
    cleaned: list[AgreementContactData] = []
    for i, contact in enumerate(contacts):
        at = [*path, str(i)]
        base = validate_contact(problems, contact, prefix=at)
        partner_id = contact.partner_id
        if partner_id is None:
            partner_id = only_party
        elif party_ids is not None and partner_id not in party_ids:
            problems.add(
                ErrorCode.INVALID,
                "連絡先のパートナーは、この協定の相手方から選んでください。",
                [*at, "partnerId"],
            )
        cleaned.append(AgreementContactData(**vars(base), partner_id=partner_id))
    return cleaned


def _check_support_categories(
    problems: v.Problems, category: AgreementCategory, support: Sequence[SupportCategory]
) -> list[SupportCategory]:
    path = ["input", "supportCategories"]
    if not v.bounded_list(problems, support, label="支援の内容", field=path):
        return []
    if support and category != AgreementCategory.DISASTER_SUPPORT:
        problems.add(
            ErrorCode.INVALID,
            "支援の内容（協定区分）は、災害時応援協定にだけ入れられます。",
            path,
        )
    return sorted(set(support), key=_SUPPORT_ORDER.__getitem__)


async def _check_amends(
    session: AsyncSession, amends_id: int, own_id: int | None, problems: v.Problems
) -> None:
    """An amendment (改正) points at an existing agreement other than itself, and the
    chain of amendments never loops back."""
    path = ["input", "amendsId"]
    if amends_id == own_id:
        problems.add(ErrorCode.INVALID, "協定は自分自身の改正にはできません。", path)
        return
    if await session.get(Agreement, amends_id) is None:
        problems.add(ErrorCode.NOT_FOUND, "改正元の協定が見つかりません。", path)
        return
    if own_id is None:
        return
    current: int | None = amends_id
    for _ in range(_MAX_AMENDMENT_CHAIN):
        stmt = sa.select(col(Agreement.amends_id)).where(col(Agreement.id) == current)
        current = (await session.execute(stmt)).scalar_one_or_none()
        if current is None:
            return
        if current == own_id:
            problems.add(
                ErrorCode.INVALID,
                "改正元の協定が、この協定の改正になっています。改正の順番を確かめてください。",
                path,
            )
            return


async def _build_state(
    session: AsyncSession,
    data: AgreementData,
    problems: v.Problems,
    *,
    agreement: Agreement | None,
    stored_party_ids: Sequence[int] = (),
    stored_support: Sequence[SupportCategory] = (),
    stored_contacts: Sequence[AgreementContactData] = (),
) -> _State:
    """Apply ``data`` over the stored agreement (or the defaults) and check the result."""

    def stored(name: str, default: Any = None) -> Any:
        return getattr(agreement, name) if agreement is not None else default

    title = v.required_text(
        problems,
        data.title,
        label="協定の名前",
        field=["input", "title"],
        max_length=v.max_length(Agreement.title),
    )
    checked_party_ids = await _check_parties(
        session, data.party_ids, problems, already_parties=stored_party_ids
    )
    party_ids = checked_party_ids or []

    department = await get_department_by_code(session, data.department_code)
    if department is None:
        problems.add(
            ErrorCode.NOT_FOUND,
            f"担当課コード「{data.department_code}」は登録されていません。",
            ["input", "departmentCode"],
        )

    collaboration_id = _pick(data.collaboration_id, stored("collaboration_id"))
    if (
        is_set(data.collaboration_id)
        and collaboration_id is not None
        and await session.get(Collaboration, collaboration_id) is None
    ):
        problems.add(
            ErrorCode.NOT_FOUND,
            "指定された協働事業は見つかりません。",
            ["input", "collaborationId"],
        )

    support_input = _pick(data.support_categories, stored_support)
    support = _check_support_categories(problems, data.category, support_input or [])

    support_details = v.optional_text(
        problems,
        _pick(data.support_details, stored("support_details")),
        label="支援の詳しい内容",
        field=["input", "supportDetails"],
        max_length=MAX_SUPPORT_DETAILS,
    )

    v.check_date(
        problems, data.effective_from, label="効力の始まる日", field=["input", "effectiveFrom"]
    )
    v.check_date(
        problems, data.effective_until, label="期間の終わりの日", field=["input", "effectiveUntil"]
    )
    effective_from = _pick(data.effective_from, stored("effective_from"))
    effective_until = _pick(data.effective_until, stored("effective_until"))
    auto_renewal = bool(_pick(data.auto_renewal, stored("auto_renewal", False)))
    renewal_term_months = _pick(data.renewal_term_months, stored("renewal_term_months"))
    problems.extend(
        terms.term_problems(
            effective_from=effective_from,
            effective_until=effective_until,
            auto_renewal=auto_renewal,
            renewal_term_months=renewal_term_months,
        )
    )

    if renewal_term_months is not None and renewal_term_months > MAX_RENEWAL_TERM_MONTHS:
        problems.add(
            ErrorCode.INVALID,
            f"更新の期間は{MAX_RENEWAL_TERM_MONTHS}か月（10年）以内にしてください。",
            ["input", "renewalTermMonths"],
        )

    notice_days = _pick(data.notice_days, stored("notice_days"))
    if notice_days is not None and notice_days < 0:
        problems.add(
            ErrorCode.INVALID, "見直しの通知日数は0日以上にしてください。", ["input", "noticeDays"]
        )

    contacts: list[AgreementContactData] | None = None
    if is_set(data.emergency_contacts):
        contacts = _check_contacts(
            problems,
            data.emergency_contacts or [],
            checked_party_ids,
            prefix=["input", "emergencyContacts"],
        )
    elif checked_party_ids is not None:
        # Contacts kept as they are must still speak for a party of the agreement.
        for i, contact in enumerate(stored_contacts):
            if contact.partner_id is not None and contact.partner_id not in party_ids:
                problems.add(
                    ErrorCode.INVALID,
                    f"緊急連絡先「{contact.name}」のパートナーが相手方から外れます。"
                    "緊急連絡先も一緒に直してください。",
                    ["input", "emergencyContacts", str(i), "partnerId"],
                )

    amends_id = _pick(data.amends_id, stored("amends_id"))
    if is_set(data.amends_id) and amends_id is not None:
        await _check_amends(session, amends_id, agreement.id if agreement else None, problems)

    return _State(
        title=title,
        category=data.category,
        party_ids=party_ids,
        department_id=department.id if department else None,
        collaboration_id=collaboration_id,
        support_categories=support,
        support_details=support_details,
        effective_from=effective_from,
        effective_until=effective_until,
        auto_renewal=auto_renewal,
        renewal_term_months=renewal_term_months,
        notice_days=notice_days,
        contacts=contacts,
        amends_id=amends_id,
    )


# ------------------------------------------------------------------ children and audit


async def _party_ids(session: AsyncSession, agreement_id: int) -> list[int]:
    stmt = (
        sa.select(col(AgreementParty.partner_id))
        .where(col(AgreementParty.agreement_id) == agreement_id)
        .order_by(col(AgreementParty.position), col(AgreementParty.partner_id))
    )
    return list((await session.execute(stmt)).scalars())


async def _support_categories(session: AsyncSession, agreement_id: int) -> list[SupportCategory]:
    stmt = sa.select(col(AgreementSupportCategory.category)).where(
        col(AgreementSupportCategory.agreement_id) == agreement_id
    )
    found = (await session.execute(stmt)).scalars()
    return sorted(found, key=_SUPPORT_ORDER.__getitem__)


async def _contacts(session: AsyncSession, agreement_id: int) -> list[AgreementContactData]:
    stmt = (
        sa.select(Contact)
        .where(col(Contact.agreement_id) == agreement_id)
        .order_by(col(Contact.position), col(Contact.id))
    )
    return [
        AgreementContactData(**{f.name: getattr(c, f.name) for f in fields(AgreementContactData)})
        for c in (await session.execute(stmt)).scalars()
    ]


async def _replace_parties(
    session: AsyncSession, agreement_id: int, party_ids: Sequence[int]
) -> None:
    await session.execute(
        sa.delete(AgreementParty).where(col(AgreementParty.agreement_id) == agreement_id)
    )
    if party_ids:
        await session.execute(
            sa.insert(AgreementParty),
            [
                {"agreement_id": agreement_id, "partner_id": pid, "position": i}
                for i, pid in enumerate(party_ids)
            ],
        )


async def _replace_support(
    session: AsyncSession, agreement_id: int, support: Sequence[SupportCategory]
) -> None:
    await session.execute(
        sa.delete(AgreementSupportCategory).where(
            col(AgreementSupportCategory.agreement_id) == agreement_id
        )
    )
    if support:
        await session.execute(
            sa.insert(AgreementSupportCategory),
            [{"agreement_id": agreement_id, "category": c} for c in support],
        )


async def _replace_contacts(
    session: AsyncSession, agreement_id: int, contacts: Sequence[AgreementContactData]
) -> None:
    await session.execute(sa.delete(Contact).where(col(Contact.agreement_id) == agreement_id))
    if contacts:
        await session.execute(
            sa.insert(Contact),
            [
                {"agreement_id": agreement_id, "position": i, **vars(c)}
                for i, c in enumerate(contacts)
            ],
        )


async def _snapshot(session: AsyncSession, agreement: Agreement) -> dict[str, Any]:
    """The agreement as the audit log records it: its columns, the parties (with names,
    so the log reads without joins), support categories and emergency contacts.

    Contacts are personal data; the audit log is readable by ADMIN only.
    """
    assert agreement.id is not None
    stmt = (
        sa.select(col(Partner.id), col(Partner.name))
        .join(AgreementParty, col(AgreementParty.partner_id) == col(Partner.id))
        .where(col(AgreementParty.agreement_id) == agreement.id)
        .order_by(col(AgreementParty.position), col(Partner.id))
    )
    parties = [{"partner_id": pid, "name": name} for pid, name in (await session.execute(stmt))]
    return snapshot(agreement, SCALAR_FIELDS) | {
        "parties": parties,
        "support_categories": await _support_categories(session, agreement.id),
        "emergency_contacts": [vars(c) for c in await _contacts(session, agreement.id)],
    }


AGREEMENTS = Audited(Agreement, entity_type=ENTITY, label=LABEL, snapshot=_snapshot)


def _refuse_status(agreement: Agreement, doing: str) -> NoReturn:
    """INVALID_TRANSITION for a call the agreement's status does not allow. The field is
    null: the fault is the stored status, not any argument."""
    raise rules.STATUSES.refuse(f"「{rules.STATUSES.label(agreement.status)}」の協定は{doing}。")


# ------------------------------------------------------------------ create and update


async def create_agreement(session: AsyncSession, *, data: AgreementData, actor: str) -> Agreement:
    """Register an agreement as a draft (第3章(3)); it binds nobody until concluded."""
    problems = v.Problems()
    state = await _build_state(session, data, problems, agreement=None)
    problems.raise_if_any()
    agreement = Agreement(**state.columns(), status=AgreementStatus.DRAFT)
    session.add(agreement)
    await session.flush()
    assert agreement.id is not None
    await _replace_parties(session, agreement.id, state.party_ids)
    await _replace_support(session, agreement.id, state.support_categories)
    await _replace_contacts(session, agreement.id, state.contacts or [])
    await AGREEMENTS.created(session, agreement, actor=actor, action="agreement.create")
    return agreement


async def update_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    data: AgreementData,
    actor: str,
) -> Agreement:
    """Change an agreement (第3章(3), rule 15: ``expectedVersion``).

    DRAFT and NEGOTIATING agreements change freely. An IN_FORCE agreement keeps what it
    was signed as — parties, category, support categories, term and the agreement it
    amends — and changes those only by an amendment; its title, support details, notice
    days, department, collaboration and emergency contacts may still be corrected.
    EXPIRED and TERMINATED agreements are history and do not change.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if agreement.status in rules.CLOSED:
        _refuse_status(agreement, "変更できません")
    stored_party_ids = await _party_ids(session, agreement_id)
    stored_support = await _support_categories(session, agreement_id)
    stored_contacts = await _contacts(session, agreement_id)

    problems = v.Problems()
    state = await _build_state(
        session,
        data,
        problems,
        agreement=agreement,
        stored_party_ids=stored_party_ids,
        stored_support=stored_support,
        stored_contacts=stored_contacts,
    )
    if agreement.status == AgreementStatus.IN_FORCE:
        problems.extend(_fixed_field_problems(agreement, state, stored_party_ids, stored_support))
    problems.raise_if_any()

    await change.write(state.columns())
    await _replace_parties(session, agreement_id, state.party_ids)
    await _replace_support(session, agreement_id, state.support_categories)
    if state.contacts is not None:
        await _replace_contacts(session, agreement_id, state.contacts)
    await change.record(actor=actor, action="agreement.update")
    return agreement


def _fixed_field_problems(
    agreement: Agreement,
    state: _State,
    stored_party_ids: Sequence[int],
    stored_support: Sequence[SupportCategory],
) -> list[Problem]:
    """What an update would change of a concluded agreement's signed content.

    Parties and support categories compare as sets: listing the same parties in another
    order is not a change of who signed.
    """
    stored: dict[str, Any] = {
        "category": agreement.category,
        "party_ids": set(stored_party_ids),
        "support_categories": set(stored_support),
        "effective_from": agreement.effective_from,
        "effective_until": agreement.effective_until,
        "auto_renewal": agreement.auto_renewal,
        "renewal_term_months": agreement.renewal_term_months,
        "amends_id": agreement.amends_id,
    }
    wanted: dict[str, Any] = {
        "category": state.category,
        "party_ids": set(state.party_ids),
        "support_categories": set(state.support_categories),
        "effective_from": state.effective_from,
        "effective_until": state.effective_until,
        "auto_renewal": state.auto_renewal,
        "renewal_term_months": state.renewal_term_months,
        "amends_id": state.amends_id,
    }
    return [
        Problem(
            ErrorCode.INVALID_TRANSITION,
            f"{label}は締結後には変えられません。{AMEND_INSTEAD}",
            ["input", input_name],
        )
        for name, (input_name, label) in _FIXED_ONCE_CONCLUDED.items()
        if stored[name] != wanted[name]
    ]


# ------------------------------------------------------------------ lifecycle


async def conclude_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    concluded_on: date,
    effective_from: date | None,
    actor: str,
) -> Agreement:
    """締結: DRAFT or NEGOTIATING → IN_FORCE (第3章(3), rule 8), recording ``concludedOn``.

    The agreement takes effect on ``effectiveFrom`` when given, else on the start date
    the draft already named, else on the day it was concluded. It needs at least one
    counterparty, and a disaster-support agreement at least one support category.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if agreement.status == AgreementStatus.IN_FORCE:
        raise rules.STATUSES.refuse("この協定はすでに締結されています。")
    if not rules.STATUSES.allows(agreement.status, AgreementStatus.IN_FORCE):
        _refuse_status(
            agreement,
            "締結できません。改めて結ぶときは、amendsId でこの協定を指定した新しい協定を"
            "作ってください",
        )
    problems = v.Problems()
    v.check_date(problems, concluded_on, label="締結日", field=["concludedOn"])
    v.check_date(problems, effective_from, label="効力の始まる日", field=["effectiveFrom"])
    problems.raise_if_any()
    if not await _party_ids(session, agreement_id):
        problems.extend(
            [
                Problem(
                    ErrorCode.REQUIRED,
                    "相手方が決まっていません。相手方を登録してから締結してください。",
                )
            ]
        )
    if agreement.category == AgreementCategory.DISASTER_SUPPORT and not (
        await _support_categories(session, agreement_id)
    ):
        problems.extend(
            [
                Problem(
                    ErrorCode.REQUIRED,
                    "災害時応援協定には、支援の内容（協定区分）を1つ以上登録してから"
                    "締結してください。",
                )
            ]
        )
    starts_on = effective_from or agreement.effective_from or concluded_on
    for problem in terms.term_problems(
        effective_from=starts_on,
        effective_until=agreement.effective_until,
        auto_renewal=agreement.auto_renewal,
        renewal_term_months=agreement.renewal_term_months,
    ):
        if problem.field == ["input", "effectiveUntil"] and problem.code == ErrorCode.INVALID:
            problems.add(
                ErrorCode.INVALID,
                f"効力の始まる日（{starts_on.isoformat()}）が、期間の終わりの日"
                f"（{agreement.effective_until}）より後になっています。",
                ["effectiveFrom"] if effective_from else ["concludedOn"],
            )
        else:
            # Stored term settings at fault: not one of this mutation's arguments.
            problems.extend([Problem(problem.code, problem.message)])
    problems.raise_if_any()

    await change.write(
        {
            "status": AgreementStatus.IN_FORCE,
            "concluded_on": concluded_on,
            "effective_from": starts_on,
        }
    )
    await change.record(actor=actor, action="agreement.conclude")
    return agreement


async def terminate_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    terminated_on: date,
    reason: str | None,
    actor: str,
) -> Agreement:
    """解約: IN_FORCE → TERMINATED with a reason (第3章(3), rule 8).

    The termination takes effect on ``terminatedOn`` (the agreement's last day is the
    day before), which may lie ahead (notice given now). It cannot precede the start of
    the agreement, nor come after its term already ran out — that agreement expired.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if not rules.STATUSES.allows(agreement.status, AgreementStatus.TERMINATED):
        _refuse_status(agreement, "解約できません。解約できるのは締結済みの協定だけです")
    problems = v.Problems()
    text = v.clean_text(reason)
    if text is None:
        problems.add(
            ErrorCode.REASON_REQUIRED,
            "解約の理由を、相手方にもわかる言葉で書いてください。",
            ["reason"],
        )
    else:
        v.optional_text(problems, text, label="解約の理由", field=["reason"], max_length=MAX_REASON)
    starts_on = agreement.effective_from or agreement.concluded_on
    out_of_range = v.date_problem(terminated_on, label="解約日", field=["terminatedOn"])
    if out_of_range is not None:
        problems.extend([out_of_range])
    elif starts_on is not None and terminated_on < starts_on:
        problems.add(
            ErrorCode.INVALID,
            f"解約日は、協定の効力が始まった日（{starts_on.isoformat()}）以降にしてください。",
            ["terminatedOn"],
        )
    else:
        try:
            ends_on = terms.agreement_term_ends_on(agreement, terminated_on)
        except ValueError:  # renewals run past the calendar's end (year 9999)
            ends_on = None
            problems.add(
                ErrorCode.INVALID, "解約日が遠すぎます。日付を確かめてください。", ["terminatedOn"]
            )
        if (
            ends_on is not None
            and ends_on < date.max
            and terminated_on > ends_on + timedelta(days=1)
        ):
            problems.add(
                ErrorCode.INVALID,
                f"協定の期間は{ends_on.isoformat()}に終わっています。解約ではなく、"
                "期間満了にしてください。",
                ["terminatedOn"],
            )
    problems.raise_if_any()

    await change.write(
        {
            "status": AgreementStatus.TERMINATED,
            "terminated_on": terminated_on,
            "termination_reason": text,
        }
    )
    await change.record(actor=actor, action="agreement.terminate")
    return agreement


async def transition_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    to: AgreementStatus,
    today: date,
    actor: str,
) -> Agreement:
    """The status changes that need no other input (第3章(3), rule 8).

    DRAFT → NEGOTIATING (talks with the counterparties have begun), and IN_FORCE →
    EXPIRED once the current term has ended by ``today`` without renewal. Expiring
    stores the last term's end as ``effectiveUntil``, so ``isInForce`` and
    ``currentTermEndsOn`` keep answering for the days it was in force. Concluding and
    terminating have their own mutations, as they need dates and a reason.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    current = agreement.status
    values: dict[str, Any] = {"status": to}
    if to not in rules.PLAIN_MOVES or not rules.STATUSES.allows(current, to):
        raise rules.STATUSES.refuse(_transition_message(current, to), ["to"])
    if to == AgreementStatus.EXPIRED:
        ends_on = terms.agreement_term_ends_on(agreement, today)
        if ends_on is None:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                "この協定には期間の終わりがないため、期間満了にはできません。"
                "やめるときは解約してください。",
                ["to"],
            )
        if ends_on >= today:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                f"協定の期間は{ends_on.isoformat()}まで続いています。期間満了にできるのは、"
                "期間が終わった次の日からです。",
                ["to"],
            )
        values["effective_until"] = ends_on

    await change.write(values)
    await change.record(actor=actor, action="agreement.transition")
    return agreement


def _transition_message(current: AgreementStatus, to: AgreementStatus) -> str:
    here, there = rules.STATUSES.label(current), rules.STATUSES.label(to)
    if current == to:
        return f"この協定はすでに「{here}」です。"
    if to == AgreementStatus.IN_FORCE:
        return "締結は agreementConclude で行ってください（締結日が必要です）。"
    if to == AgreementStatus.TERMINATED:
        return "解約は agreementTerminate で行ってください（解約日と理由が必要です）。"
    return (
        f"「{here}」から「{there}」には変えられません。"
        "「下書き」から「協議中」、「締結済み」から「期間満了」にだけ変えられます。"
    )


async def verify_contacts(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    verified_on: date,
    emergency_contacts: Sequence[AgreementContactData],
    today: date,
    actor: str,
) -> Agreement:
    """The yearly check of an agreement's emergency contacts (rule 9).

    Stale contacts are the disaster-management office's main real-world problem: the
    list confirmed with the counterparties replaces the stored one, and
    ``contactsVerifiedOn`` records the day, so ``contactsStale`` is false for a year
    from then. Allowed in any status but EXPIRED and TERMINATED (nobody is bound then).
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if agreement.status in rules.CLOSED:
        _refuse_status(agreement, "連絡先を確認する必要はありません")
    party_ids = await _party_ids(session, agreement_id)
    problems = v.Problems()
    v.check_date(problems, verified_on, label="連絡先を確認した日", field=["verifiedOn"])
    if verified_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"確認した日に、まだ来ていない日（{verified_on.isoformat()}）は入れられません。",
            ["verifiedOn"],
        )
    if not emergency_contacts:
        problems.add(
            ErrorCode.REQUIRED,
            "確認した緊急連絡先を1件以上入れてください。",
            ["emergencyContacts"],
        )
    contacts = _check_contacts(
        problems, emergency_contacts, party_ids, prefix=["emergencyContacts"]
    )
    problems.raise_if_any()

    await change.write({"contacts_verified_on": verified_on})
    await _replace_contacts(session, agreement_id, contacts)
    await change.record(actor=actor, action="agreement.verify_contacts")
    return agreement


__all__ = [
    "AgreementContactData",
    "AgreementData",
    "conclude_agreement",
    "create_agreement",
    "terminate_agreement",
    "transition_agreement",
    "update_agreement",
    "verify_contacts",
]
