"""Amendments (改正, 第3章(3), rule 8): what a concluded agreement changes only by a new
agreement that amends it, and the chain of amendments, which never loops back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.enums import SupportCategory
from kyodo.domain.errors import ErrorCode, Problem

if TYPE_CHECKING:
    from kyodo.domain.agreements.validation import State

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

# Guards the walk up an amendment chain against a corrupt cycle in stored data.
_MAX_AMENDMENT_CHAIN = 1000


async def check_amends(
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
    # The lists are children of the agreement (the rest are its columns, as named).
    lists: dict[str, tuple[Sequence[Any], Sequence[Any]]] = {
        "party_ids": (stored_party_ids, state.party_ids),
        "support_categories": (stored_support, state.support_categories),
    }

    def changed(name: str) -> bool:
        if name in lists:
            before, after = lists[name]
            return set(before) != set(after)
        return bool(getattr(agreement, name) != getattr(state, name))

    return [
        Problem(
            ErrorCode.INVALID_TRANSITION,
            f"{label}は締結後には変えられません。{AMEND_INSTEAD}",
            name,
        )
        for name, label in _FIXED_ONCE_CONCLUDED.items()
        if changed(name)
    ]
