"""The guideline's seven forms of collaboration (協働の形, 第3章), as pure functions: what
each form is (:data:`FORM_INFO`), what each one requires before a collaboration starts
(:func:`form_problems`) and what holds at every moment (:func:`form_problems_always`).

Nothing here touches the database; services pass in the values they loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from kyodo.domain.enums import CollaborationForm, CommitteeKind
from kyodo.domain.errors import ErrorCode, Problem
from kyodo.domain.labels import LABELS
from kyodo.domain.validation import is_blank


@dataclass(frozen=True, slots=True)
class FormInfo:
    """Label and fixed rules of one collaboration form (第3章), for front ends to show."""

    form: CollaborationForm
    label: str
    description: str
    city_bears_final_responsibility: bool
    financial_support_allowed: bool


def _form(
    form: CollaborationForm,
    description: str,
    *,
    city_bears_final_responsibility: bool = False,
    financial_support_allowed: bool = True,
) -> FormInfo:
    return FormInfo(
        form=form,
        label=LABELS[CollaborationForm][form].label,
        description=description,
        city_bears_final_responsibility=city_bears_final_responsibility,
        financial_support_allowed=financial_support_allowed,
    )


# Descriptions follow the wording of 第3章(1)–(7), lightly simplified.
FORM_INFO: Mapping[CollaborationForm, FormInfo] = MappingProxyType(
    {
        info.form: info
        for info in (
            _form(
                CollaborationForm.CO_HOSTING,
                "市民と市がともに主催者となって事業を企画・実施する形で、"
                "経費の負担や社会的な責任は双方にあります。",
            ),
            _form(
                CollaborationForm.COMMITTEE,
                "市民と市が資金や人手を出し合って新しい組織をつくり、"
                "その組織が主催者となって取り組む形です。",
            ),
            _form(
                CollaborationForm.AGREEMENT,
                "市民と市が共通の目的を果たすため、それぞれの役割などを話し合って決め、"
                "協力し合う形です。",
            ),
            _form(
                CollaborationForm.BUSINESS_COOPERATION,
                "市民と市が互いの持ち味を生かし、一定の期間続けて協力する形で、"
                "市民が中心となって行う事業を市が補います。",
            ),
            _form(
                CollaborationForm.CONSIGNMENT,
                "市が行うより効率的・効果的にできる事業の全部または一部を任せる形で、"
                "事業の最終的な責任は市にあります。",
                city_bears_final_responsibility=True,
            ),
            _form(
                CollaborationForm.SUBSIDY,
                "市民が行う事業を市が補助金などでお金の面から支える形で、"
                "相手の自主性を損なわないよう期限や使い道に決まりを設けます。",
            ),
            _form(
                CollaborationForm.ENDORSEMENT,
                "市民が主催する事業に市が後援者として名前を連ねる形で、"
                "お金の面での支援はありません。",
                financial_support_allowed=False,
            ),
        )
    }
)


def budget_share_problems(
    *,
    budget_total_yen: int | None,
    city_share_yen: int | None,
    partner_share_yen: int | None,
) -> list[Problem]:
    """The city's and the partner's shares add up to at most the budget total (rule 18).

    A share is part of the total, so 900,000 + 900,000 yen cannot be shares of 1,000
    yen (``INVALID`` on ``input.budget``). Unstated shares count as 0; without a total
    there is nothing to compare with. Negative amounts are refused elsewhere.
    """
    if budget_total_yen is None:
        return []
    city, partner = city_share_yen or 0, partner_share_yen or 0
    if min(budget_total_yen, city, partner) < 0:
        return []
    shares = city + partner
    if shares <= budget_total_yen:
        return []
    return [
        Problem(
            ErrorCode.INVALID,
            f"市の負担額（{city:,}円）とパートナーの負担額"
            f"（{partner:,}円）の合計（{shares:,}円）が、"
            f"経費の合計（{budget_total_yen:,}円）を超えています。",
            "budget",
        )
    ]


def form_problems_always(
    *,
    forms: Iterable[CollaborationForm],
    city_share_yen: int | None,
    budget_total_yen: int | None = None,
    partner_share_yen: int | None = None,
) -> list[Problem]:
    """Rules that hold at every moment: checked on create and update as well as on start.

    - A 後援 (ENDORSEMENT) lends the city's name and no money (第3章(7)), so the city's
      share must be absent or 0 (``FINANCIAL_SUPPORT_NOT_ALLOWED``). It is refused as
      soon as it is entered, because money promised and then withdrawn at start-up
      would mislead the partner.
    - The shares add up to at most the total (:func:`budget_share_problems`, rule 18).
    """
    problems: list[Problem] = []
    if CollaborationForm.ENDORSEMENT in set(forms) and city_share_yen not in (None, 0):
        problems.append(
            Problem(
                ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED,
                "後援では市からお金を出せません。市の負担額は0円にするか、空けておいてください。",
                "budget.city_share_yen",
            )
        )
    problems.extend(
        budget_share_problems(
            budget_total_yen=budget_total_yen,
            city_share_yen=city_share_yen,
            partner_share_yen=partner_share_yen,
        )
    )
    return problems


def form_problems(
    *,
    forms: Iterable[CollaborationForm],
    city_share_yen: int | None,
    partner_share_yen: int | None,
    budget_total_yen: int | None = None,
    committee_name: str | None,
    committee_kind: CommitteeKind | None,
    committee_dissolves_on: date | None,
    participations_is_lead: Sequence[bool],
    responsibility: str | None,
) -> list[Problem]:
    """Everything the chosen forms require before a collaboration starts (第3章, rule 3).

    Checked when moving PLANNING→ACTIVE, together with :func:`missing_readiness`. While
    planning, these may still be incomplete; only :func:`form_problems_always` (included
    here too) is refused earlier. Problems come in form order:

    - 共催 (第3章(1)): cost and responsibility are shared, so both the city's and the
      partner's share are stated (``NOT_READY``).
    - 実行委員会・協議会 (第3章(2)): the new body has a name; an 実行委員会 is a
      time-limited body, so it also has a dissolution date (``NOT_READY``).
    - 事業協力 (第3章(4)): citizens lead and the city complements, so at least one partner
      is marked lead (``NOT_READY``).
    - 委託 (第3章(5)): the city keeps final responsibility, so who is responsible for what
      is written down (``NOT_READY``).
    - 後援 (第3章(7)): no city money (``FINANCIAL_SUPPORT_NOT_ALLOWED``).
    - Every form: the shares add up to at most the total (``INVALID``, rule 18).
    """
    chosen = set(forms)
    problems: list[Problem] = []
    if CollaborationForm.CO_HOSTING in chosen:
        if city_share_yen is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "共催では経費を双方で負担します。市の負担額を入れてください（0円も可）。",
                    "budget.city_share_yen",
                )
            )
        if partner_share_yen is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "共催では経費を双方で負担します。"
                    "パートナーの負担額を入れてください（0円も可）。",
                    "budget.partner_share_yen",
                )
            )
    if CollaborationForm.COMMITTEE in chosen:
        if is_blank(committee_name):
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "実行委員会・協議会の形で行うときは、その会の名前を入れてください。",
                    "committee.name",
                )
            )
        if committee_kind is CommitteeKind.EXECUTIVE_COMMITTEE and committee_dissolves_on is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "実行委員会は期間を限った会です。解散する日を入れてください。",
                    "committee.dissolves_on",
                )
            )
    if CollaborationForm.BUSINESS_COOPERATION in chosen and not any(participations_is_lead):
        problems.append(
            Problem(
                ErrorCode.NOT_READY,
                "事業協力では市民が中心になって進めます。"
                "中心となるパートナーを1つ以上選んでください。",
                "participations",
            )
        )
    if CollaborationForm.CONSIGNMENT in chosen and is_blank(responsibility):
        problems.append(
            Problem(
                ErrorCode.NOT_READY,
                "委託では事業の最終的な責任は市にあります。責任の所在を書いてください。",
                "responsibility",
            )
        )
    problems.extend(
        form_problems_always(
            forms=chosen,
            city_share_yen=city_share_yen,
            budget_total_yen=budget_total_yen,
            partner_share_yen=partner_share_yen,
        )
    )
    return problems
