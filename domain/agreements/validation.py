"""Checking what a caller says about an agreement (協定, 第3章(3), rules 8, 9): the
input, its counterparties, contacts, support categories and amendment chain, and what a
concluded agreement may no longer change. Reads, never writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements import terms
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.base import UNSET, is_set
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import AgreementCategory, PartnerStatus, SupportCategory
from kyodo.domain.errors import ErrorCode, Problem, at
from kyodo.domain.japanese import normalize_for_search
from kyodo.domain.labels import labels
from kyodo.domain.partners.inputs import ContactData, validate_contact
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.service import check_department

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


# What a concluded agreement was signed as. Once IN_FORCE these change only by an
# amendment (改正: a new agreement whose amendsId points at this one); the working
# details (title, supportDetails, noticeDays, department, collaboration, emergency
# contacts) may still be corrected in place. Column → GraphQL input name and label.
_FIXED_ONCE_CONCLUDED: dict[str, str] = {
    "category": "協定の種類",
    "party_ids": "相手方",
    "support_categories": "支援の内容（協定区分）",
    "effective_from": "効力の始まる日",
    "effective_until": "期間の終わりの日",
    "auto_renewal": "自動更新",
    "renewal_term_months": "更新の月数",
    "amends_id": "改正元の協定",
}
AMEND_INSTEAD = "締結済みの協定は改正（amendsId を指定した新しい協定）で変更してください。"

SUPPORT_ORDER = {category: index for index, category in enumerate(SupportCategory)}

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
    path = "party_ids"
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


def check_contacts(
    problems: v.Problems,
    contacts: Sequence[AgreementContactData],
    party_ids: Sequence[int] | None,
    *,
    prefix: str,
) -> list[AgreementContactData]:
    """Each contact valid like any contact (氏名, 電話, メール); the party it speaks for
    must be one of the agreement's parties, and is the only party when there is one.
    ``party_ids`` None: the party list was itself refused, so that is not checked."""
    if not v.bounded_list(problems, contacts, label="緊急連絡先", field=prefix):
        return []
    only_party = party_ids[0] if party_ids is not None and len(party_ids) == 1 else None
    cleaned: list[AgreementContactData] = []
    for i, contact in enumerate(contacts):
        here = at(prefix, i)
        base = validate_contact(problems, contact, prefix=here)
        partner_id = contact.partner_id
        if partner_id is None:
            partner_id = only_party
        elif party_ids is not None and partner_id not in party_ids:
            problems.add(
                ErrorCode.INVALID,
                "連絡先のパートナーは、この協定の相手方から選んでください。",
                at(here, "partner_id"),
            )
        cleaned.append(AgreementContactData(**vars(base), partner_id=partner_id))
    return cleaned


def check_reachable(
    problems: v.Problems, contacts: Sequence[AgreementContactData], *, prefix: str
) -> None:
    """Rule 19: a verified emergency contact is one the office can phone in a disaster,
    so each needs a telephone number (a name alone proves nothing was checked). A phone
    given but malformed is already reported by :func:`check_contacts`."""
    for i, contact in enumerate(contacts):
        if v.clean_text(contact.phone) is None:
            name = v.clean_text(contact.name) or "（氏名なし）"
            problems.add(
                ErrorCode.REQUIRED,
                f"確認した緊急連絡先「{name}」の電話番号を入れてください。"
                "災害時に電話でつながる連絡先だけを、確認済みにできます。",
                at(prefix, i, "phone"),
            )


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


async def _check_amends(
    session: AsyncSession, amends_id: int, own_id: int | None, problems: v.Problems
) -> None:
    """An amendment (改正) points at an existing agreement other than itself, and the
    chain of amendments never loops back."""
    path = "amends_id"
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

    def stored(name: str, default: Any = None) -> Any:
        return getattr(agreement, name) if agreement is not None else default

    title = v.required_text(
        problems,
        data.title,
        label="協定の名前",
        field="title",
        max_length=v.max_length(Agreement.title),
    )
    checked_party_ids = await _check_parties(
        session, data.party_ids, problems, already_parties=stored_party_ids
    )
    party_ids = checked_party_ids or []

    department = await check_department(session, data.department_code, problems)

    collaboration_id = _pick(data.collaboration_id, stored("collaboration_id"))
    if (
        is_set(data.collaboration_id)
        and collaboration_id is not None
        and await session.get(Collaboration, collaboration_id) is None
    ):
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
    if is_set(data.amends_id) and amends_id is not None:
        await _check_amends(session, amends_id, agreement.id if agreement else None, problems)

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


def fixed_field_problems(
    agreement: Agreement,
    state: State,
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
            name,
        )
        for name, label in _FIXED_ONCE_CONCLUDED.items()
        if stored[name] != wanted[name]
    ]
