"""Checking what a caller says about an agreement (協定, 第3章(3), rules 8, 9): the
input, its counterparties and support categories, merged over the stored agreement into
the state after the change (:func:`build_state`). Its emergency contacts are checked by
:mod:`domain.agreements.contacts`, its amendment chain and what a concluded agreement may
no longer change by :mod:`domain.agreements.amendments`. Reads, never writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements import terms
from kyodo.domain.agreements.amendments import check_amends
from kyodo.domain.agreements.contacts import AgreementContactData, check_contacts
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.base import UNSET, is_set
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import AgreementCategory, PartnerStatus, SupportCategory
from kyodo.domain.errors import ErrorCode, at
from kyodo.domain.japanese import normalize_for_search
from kyodo.domain.labels import labels
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.domain.reference.service import get_department_by_code, unknown_department

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


_PARTNER_STATUS_LABELS = labels(PartnerStatus)

MAX_PARTIES = v.MAX_LIST
"""Counterparties of one agreement, at most (the API's cost estimate relies on it too)."""
MAX_SUPPORT_DETAILS = 4000
MAX_REASON = 2000
# Longer renewal terms are not agreements anyone signs, and a huge one would push the
# term arithmetic of domain.agreements.terms past the calendar's end.
MAX_RENEWAL_TERM_MONTHS = 120


SUPPORT_ORDER = {category: index for index, category in enumerate(SupportCategory)}


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
class State:
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
        """The agreement's own columns (every field but its child rows, :data:`CHILD_ROWS`)
        and the search text derived from them."""
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in CHILD_ROWS}
        return own | {"search_text": search_text_of(self.title or "", self.support_details)}


CHILD_ROWS = frozenset({"party_ids", "support_categories", "contacts"})
"""What :class:`State` holds in rows of their own, not in the agreement's columns."""


def search_text_of(title: str, support_details: str | None) -> str:
    """What ``agreements(filter: {search})`` matches, folded like every search."""
    return v.fit(normalize_for_search(f"{title} {support_details or ''}"), Agreement.search_text)


def _pick(value: Any, stored: Any) -> Any:
    return value if is_set(value) else stored


# ------------------------------------------------------------------ validation


class Party(NamedTuple):
    """A partner as the checks of a counterparty see it."""

    name: str
    status: PartnerStatus


async def parties_named(session: AsyncSession, party_ids: Sequence[int]) -> dict[int, Party]:
    """The partners ``party_ids`` name, by id (none read when the list is refused as a
    whole: empty or too long)."""
    if not party_ids or len(party_ids) > MAX_PARTIES:
        return {}
    stmt = sa.select(col(Partner.id), col(Partner.name), col(Partner.status)).where(
        col(Partner.id).in_(set(party_ids))
    )
    rows = (await session.execute(stmt)).all()
    return {row.id: Party(row.name, row.status) for row in rows}


def check_parties(
    party_ids: Sequence[int],
    found: Mapping[int, Party],
    problems: v.Problems,
    *,
    already_parties: Sequence[int] = (),
) -> list[int] | None:
    """At least one counterparty, at most 100, each an existing partner (``found``: the
    partners by id, :func:`parties_named`), none twice.

    A partner that is no longer active (休止中・解散) may stay on an agreement it is
    already party to (history), but is not added as a new counterparty. Returns the
    ids without repeats, or None when the list as a whole was refused.
    """
    path = "party_ids"
    if not v.bounded_list(problems, party_ids, label="相手方", field=path, maximum=MAX_PARTIES):
        return None
    if not party_ids:
        problems.add(ErrorCode.REQUIRED, "協定の相手方を1つ以上選んでください。", path)
        return None
    seen: set[int] = set()
    for i, pid in enumerate(party_ids):
        here = at(path, i)
        partner = found.get(pid)
        if pid in seen:
            problems.add(ErrorCode.DUPLICATE, "同じ相手方が2回以上選ばれています。", here)
        elif partner is None:
            problems.add(
                ErrorCode.NOT_FOUND, "指定された相手方のパートナーは見つかりません。", here
            )
        elif partner.status != PartnerStatus.ACTIVE and pid not in already_parties:
            problems.add(
                ErrorCode.INVALID,
                f"「{partner.name}」は{_PARTNER_STATUS_LABELS.get(partner.status, '休止中')}"
                "のため、新しく相手方に加えることはできません。",
                here,
            )
        seen.add(pid)
    return list(dict.fromkeys(party_ids))


def _check_support_categories(
    problems: v.Problems, category: AgreementCategory, support: Sequence[SupportCategory]
) -> list[SupportCategory]:
    path = "support_categories"
    if not v.bounded_list(problems, support, label="支援の内容", field=path):
        return []
    if support and category != AgreementCategory.DISASTER_SUPPORT:
        problems.add(
            ErrorCode.INVALID,
            "支援の内容（協定区分）は、災害時応援協定にだけ入れられます。",
            path,
        )
    return sorted(set(support), key=SUPPORT_ORDER.__getitem__)


@dataclass(frozen=True)
class Found:
    """What the checks of an agreement read from the database (:func:`found_for`), or
    what a bulk import knows already: the partners its ``party_ids`` name (by id), the
    department of its ``department_code`` (None: unknown), and whether the collaboration
    it names is missing."""

    partners: Mapping[int, Party]
    department: Department | None
    collaboration_missing: bool = False


async def found_for(session: AsyncSession, data: AgreementData) -> Found:
    """Read what :func:`check_state` needs to know about ``data``."""
    return Found(
        partners=await parties_named(session, data.party_ids),
        department=await get_department_by_code(session, data.department_code),
        collaboration_missing=(
            is_set(data.collaboration_id)
            and data.collaboration_id is not None
            and await session.get(Collaboration, data.collaboration_id) is None
        ),
    )


async def build_state(
    session: AsyncSession,
    data: AgreementData,
    problems: v.Problems,
    *,
    agreement: Agreement | None,
    stored_party_ids: Sequence[int] = (),
    stored_support: Sequence[SupportCategory] = (),
    stored_contacts: Sequence[AgreementContactData] = (),
) -> State:
    """Apply ``data`` over the stored agreement (or the defaults) and check the result."""
    state = check_state(
        data,
        problems,
        await found_for(session, data),
        agreement=agreement,
        stored_party_ids=stored_party_ids,
        stored_support=stored_support,
        stored_contacts=stored_contacts,
    )
    if is_set(data.amends_id) and state.amends_id is not None:
        await check_amends(session, state.amends_id, agreement.id if agreement else None, problems)
    return state


def check_state(
    data: AgreementData,
    problems: v.Problems,
    found: Found,
    *,
    agreement: Agreement | None,
    stored_party_ids: Sequence[int] = (),
    stored_support: Sequence[SupportCategory] = (),
    stored_contacts: Sequence[AgreementContactData] = (),
) -> State:
    """:func:`build_state` without reading: every check but the amendment chain's
    (``amends_id``, which reads the chain; an import never sets it), on what ``found``
    says about the database."""

    def stored(name: str, default: Any = None) -> Any:
        return getattr(agreement, name) if agreement is not None else default

    title = v.column_text(problems, data.title, Agreement.title, label="協定の名前", required=True)
    checked_party_ids = check_parties(
        data.party_ids, found.partners, problems, already_parties=stored_party_ids
    )
    party_ids = checked_party_ids or []

    department = found.department
    if department is None:
        problems.extend([unknown_department(data.department_code)])

    collaboration_id = _pick(data.collaboration_id, stored("collaboration_id"))
    if found.collaboration_missing:
        problems.add(
            ErrorCode.NOT_FOUND,
            "指定された協働事業は見つかりません。",
            "collaboration_id",
        )

    support_input = _pick(data.support_categories, stored_support)
    support = _check_support_categories(problems, data.category, support_input or [])

    support_details = v.optional_text(
        problems,
        _pick(data.support_details, stored("support_details")),
        label="支援の詳しい内容",
        field="support_details",
        max_length=MAX_SUPPORT_DETAILS,
    )

    v.check_date(problems, data.effective_from, label="効力の始まる日", field="effective_from")
    v.check_date(problems, data.effective_until, label="期間の終わりの日", field="effective_until")
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
            "renewal_term_months",
        )

    notice_days = _pick(data.notice_days, stored("notice_days"))
    if notice_days is not None and notice_days < 0:
        problems.add(ErrorCode.INVALID, "見直しの通知日数は0日以上にしてください。", "notice_days")

    contacts: list[AgreementContactData] | None = None
    if is_set(data.emergency_contacts):
        contacts = check_contacts(
            problems,
            data.emergency_contacts or [],
            checked_party_ids,
            prefix="emergency_contacts",
        )
    elif checked_party_ids is not None:
        # Contacts kept as they are must still speak for a party of the agreement.
        for i, contact in enumerate(stored_contacts):
            if contact.partner_id is not None and contact.partner_id not in party_ids:
                problems.add(
                    ErrorCode.INVALID,
                    f"緊急連絡先「{contact.name}」のパートナーが相手方から外れます。"
                    "緊急連絡先も一緒に直してください。",
                    at("emergency_contacts", i, "partner_id"),
                )

    amends_id = _pick(data.amends_id, stored("amends_id"))

    return State(
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
