"""An agreement's emergency contacts (緊急連絡先, rules 9, 19): whom the office calls in a
disaster, for which party, and what makes a contact one that was really checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kyodo.domain import validation as v
from kyodo.domain.errors import ErrorCode, at
from kyodo.domain.partners.inputs import ContactData, validate_contact


@dataclass
class AgreementContactData(ContactData):
    """An emergency contact the agreement lists; ``partner_id`` is the party it speaks
    for (None: for all parties)."""

    partner_id: int | None = None


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
