"""The guideline's rules for subsidies (補助・助成, 第3章(6)), as pure functions.

第3章(6): financial support is a means to a shared goal and must not erode the partner's
independence, so a program sets limits — a maximum per grant, a subsidy rate (補助率),
what the money may pay for (用途の制限), how many years in a row one recipient may
receive it (期限) and a deadline. :func:`condition_violations` checks an application
against all of them; the rest is the application's status machine and its closing steps.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.errors import ErrorCode, Problem, at
from kyodo.domain.japanese import normalize_for_search, to_wareki
from kyodo.domain.status import StatusMachine

_Status = SubsidyApplicationStatus


def yen(amount: int) -> str:
    """50000 → '50,000円'."""
    return f"{amount:,}円"


def consecutive_years(*, fiscal_year: int, granted_fiscal_years: Iterable[int]) -> int:
    """Which consecutive year of support ``fiscal_year`` would be for the applicant (期限).

    ``granted_fiscal_years`` are the fiscal years in which the applicant received a grant
    of the same program series (``seriesKey``; approved, reported or settled). This year counts as 1;
    each directly preceding granted year adds one, and the first gap ends the run.
    Years from ``fiscal_year`` on are ignored: only the past makes a run.
    """
    granted = set(granted_fiscal_years)
    count = 1
    year = fiscal_year - 1
    while year in granted:
        count += 1
        year -= 1
    return count


def _expense_key(category: str) -> str:
    # Categories are typed by hand on both sides; width, kana and spaces should not
    # decide whether money may be spent.
    return normalize_for_search(category)


def condition_violations(
    *,
    requested_amount_yen: int,
    total_project_cost_yen: int,
    expense_categories: Sequence[str],
    submitted_on: date,
    max_amount_per_grant_yen: int | None,
    subsidy_rate_percent: int | None,
    allowed_expense_categories: Collection[str],
    max_consecutive_years: int | None,
    consecutive_year: int,
    application_deadline: date | None,
    budget_remaining_yen: int | None,
    amount_for_budget: int | None,
    amount_label: str = "申請額",
    amount_field: str = "requested_amount_yen",
    expenses_field: str = "expenses",
) -> list[Problem]:
    """Every program condition the application breaks (第3章(6), rule 10).

    Checked on submission and again on approval, and shown live as ``conditionCheck``.
    A condition the program leaves unset (None, or no allowed categories) is not checked.

    - ``OVER_MAX_AMOUNT``: requested more than the maximum per grant.
    - ``OVER_SUBSIDY_RATE``: requested more than rate × total project cost; compared as
      ``requested × 100 > rate × total`` in integers, so no rounding can let a yen through.
    - ``EXPENSE_NOT_ALLOWED``: one problem per expense line whose category the program
      does not pay for (用途の制限); categories match regardless of width, kana and spaces.
    - ``CONSECUTIVE_YEARS_EXCEEDED``: ``consecutive_year`` (see :func:`consecutive_years`)
      is beyond the program's limit (期限).
    - ``DEADLINE_PASSED``: submitted after the deadline day (the deadline day itself is fine).
    - ``OVER_BUDGET``: only when ``amount_for_budget`` is given (the amount about to be
      granted, on approval) and it exceeds what is left of the program's budget
      (``budget_remaining_yen``, excluding this application).

    The amount checked against the maximum and the rate is the one asked for; on
    approval it is the one about to be granted, named by ``amount_label`` (交付額) and
    reported on ``amount_field``. Expense lines are named by their index in
    ``expenses_field`` (the planned ``expenses``, or a report's ``actual_expenses``).
    """
    problems: list[Problem] = []
    if max_amount_per_grant_yen is not None and requested_amount_yen > max_amount_per_grant_yen:
        problems.append(
            Problem(
                ErrorCode.OVER_MAX_AMOUNT,
                f"{amount_label}（{yen(requested_amount_yen)}）が、1件あたりの上限"
                f"（{yen(max_amount_per_grant_yen)}）を超えています。",
                amount_field,
            )
        )
    if (
        subsidy_rate_percent is not None
        and requested_amount_yen * 100 > subsidy_rate_percent * total_project_cost_yen
    ):
        # Whole yen: the largest amount that stays within the rate.
        limit = subsidy_rate_percent * total_project_cost_yen // 100
        problems.append(
            Problem(
                ErrorCode.OVER_SUBSIDY_RATE,
                f"{amount_label}（{yen(requested_amount_yen)}）が、補助率{subsidy_rate_percent}%で"
                f"出せる額（事業費{yen(total_project_cost_yen)}の{subsidy_rate_percent}%"
                f"＝{yen(limit)}）を超えています。",
                amount_field,
            )
        )
    problems.extend(
        expense_category_problems(
            expense_categories, allowed_expense_categories, field=expenses_field
        )
    )
    if max_consecutive_years is not None and consecutive_year > max_consecutive_years:
        problems.append(
            Problem(
                ErrorCode.CONSECUTIVE_YEARS_EXCEEDED,
                f"この補助金を同じ団体が続けて受けられるのは{max_consecutive_years}年度まで"
                f"です（今回で{consecutive_year}年度続けての申請になります）。",
                "applicant_id",
            )
        )
    if application_deadline is not None and submitted_on > application_deadline:
        problems.append(
            Problem(
                ErrorCode.DEADLINE_PASSED,
                f"申請の締め切り（{to_wareki(application_deadline)}）を過ぎています"
                f"（申請日：{to_wareki(submitted_on)}）。",
                "submitted_on",
            )
        )
    if (
        amount_for_budget is not None
        and budget_remaining_yen is not None
        and amount_for_budget > budget_remaining_yen
    ):
        problems.append(
            Problem(
                ErrorCode.OVER_BUDGET,
                f"交付額（{yen(amount_for_budget)}）が、この補助金の予算の残り"
                f"（{yen(budget_remaining_yen)}）を超えています。",
                "granted_amount_yen",
            )
        )
    return problems


def expense_category_problems(
    expense_categories: Sequence[str], allowed_expense_categories: Collection[str], *, field: str
) -> list[Problem]:
    """用途の制限: one ``EXPENSE_NOT_ALLOWED`` per expense line (by its index in ``field``)
    whose category the program does not pay for; categories match regardless of width,
    kana and spaces. A program that names no categories pays for any."""
    if not allowed_expense_categories:
        return []
    allowed_keys = {_expense_key(c) for c in allowed_expense_categories}
    allowed_text = "、".join(f"「{c}」" for c in allowed_expense_categories)
    return [
        Problem(
            ErrorCode.EXPENSE_NOT_ALLOWED,
            f"「{category}」はこの補助金で払える経費ではありません。払えるのは{allowed_text}です。",
            at(field, index, "category"),
        )
        for index, category in enumerate(expense_categories)
        if _expense_key(category) not in allowed_keys
    ]


PROGRAM_CONDITIONS = (
    "max_amount_per_grant_yen",
    "subsidy_rate_percent",
    "allowed_expense_categories",
    "max_consecutive_years",
    "application_deadline",
)
"""The conditions a program sets, by the names of its columns and of the arguments of
:func:`condition_violations`."""


def conditions_of(program: Any) -> dict[str, Any]:
    """A program's conditions (:data:`PROGRAM_CONDITIONS`), as :func:`condition_violations`
    takes them."""
    return {name: getattr(program, name) for name in PROGRAM_CONDITIONS}


def expense_total_problems(amounts: Sequence[int], *, total_project_cost_yen: int) -> list[Problem]:
    """Planned expense lines add up to the application's total cost (rule 18).

    An application without lines states only its total, which is fine; with lines,
    their sum must equal it (``INVALID`` on ``input.expenses``). Negative lines are
    refused elsewhere and not summed here.
    """
    if not amounts or min(amounts) < 0:
        return []
    lines_total = sum(amounts)
    if lines_total == total_project_cost_yen:
        return []
    return [
        Problem(
            ErrorCode.INVALID,
            f"経費の内訳の合計（{yen(lines_total)}）が、事業費の総額"
            f"（{yen(total_project_cost_yen)}）と合っていません。",
            "expenses",
        )
    ]


# ------------------------------------------------------------------ status machine

APPLICATION_STATUSES: StatusMachine[SubsidyApplicationStatus] = StatusMachine(
    "申請",
    {
        # A simple case may be decided without a separate review step.
        _Status.SUBMITTED: {
            _Status.UNDER_REVIEW,
            _Status.APPROVED,
            _Status.REJECTED,
            _Status.WITHDRAWN,
        },
        _Status.UNDER_REVIEW: {_Status.APPROVED, _Status.REJECTED, _Status.WITHDRAWN},
        # An applicant may still give up a granted subsidy before spending it.
        _Status.APPROVED: {_Status.REPORTED, _Status.WITHDRAWN},
        _Status.REJECTED: (),
        _Status.REPORTED: {_Status.SETTLED},
        _Status.SETTLED: (),
        _Status.WITHDRAWN: (),
    },
)
APPLICATION_STATUS_LABELS = APPLICATION_STATUSES.labels
APPLICATION_TRANSITIONS = APPLICATION_STATUSES.transitions
OPEN_APPLICATION_STATUSES: frozenset[SubsidyApplicationStatus] = APPLICATION_STATUSES.sources(
    _Status.WITHDRAWN
)


def check_application_transition(
    current: SubsidyApplicationStatus, to: SubsidyApplicationStatus
) -> None:
    """Refuse a status change of a subsidy application the flow does not allow (rule 10).

    SUBMITTED → UNDER_REVIEW → APPROVED/REJECTED (SUBMITTED may be decided directly),
    APPROVED → REPORTED → SETTLED, and WITHDRAWN from SUBMITTED, UNDER_REVIEW or
    APPROVED. Anything else raises ``DomainError(INVALID_TRANSITION)``.
    """
    APPLICATION_STATUSES.check(current, to)


# ------------------------------------------------------------------ decision and settlement


def eligible_costs_yen(
    actual_expenses: Iterable[tuple[str, int]], allowed_expense_categories: Collection[str]
) -> int:
    """The actual costs the program pays for: every line whose category is allowed (用途の制限).

    A program that lists no categories pays for every line. Categories match as on
    submission, regardless of width, kana and spaces.
    """
    allowed = {_expense_key(c) for c in allowed_expense_categories}
    return sum(
        amount
        for category, amount in actual_expenses
        if not allowed or _expense_key(category) in allowed
    )


def settlement_problems(
    *,
    granted_amount_yen: int | None,
    settled_amount_yen: int,
    subsidy_rate_percent: int | None = None,
    eligible_costs_yen: int = 0,
) -> list[Problem]:
    """Settled ≤ min(granted, rate × actual eligible costs) (第3章(6), rules 10 and 18).

    The city pays at most what it granted, even when the actual costs turned out
    higher (``INVALID``); and, when the program sets a subsidy rate, at most that rate
    of what was actually spent on eligible expenses (``OVER_SUBSIDY_RATE``), even when
    the grant was larger — compared as ``settled × 100 > rate × costs`` in integers.
    """
    field = "settled_amount_yen"
    if settled_amount_yen < 0:
        return [Problem(ErrorCode.INVALID, "精算額は0円以上にしてください。", field)]
    if granted_amount_yen is None:
        return [Problem(ErrorCode.INVALID, "交付額が決まっていないため、精算できません。", field)]
    if settled_amount_yen > granted_amount_yen:
        return [
            Problem(
                ErrorCode.INVALID,
                f"精算額（{yen(settled_amount_yen)}）は、交付額"
                f"（{yen(granted_amount_yen)}）以下にしてください。",
                field,
            )
        ]
    rate = subsidy_rate_percent
    if rate is not None and settled_amount_yen * 100 > rate * eligible_costs_yen:
        limit = rate * eligible_costs_yen // 100
        return [
            Problem(
                ErrorCode.OVER_SUBSIDY_RATE,
                f"精算額（{yen(settled_amount_yen)}）が、補助率{rate}%で出せる額"
                f"（実際にかかった対象経費{yen(eligible_costs_yen)}の{rate}%＝{yen(limit)}）"
                "を超えています。",
                field,
            )
        ]
    return []


def rejection_requires_reason(reason: str | None) -> Problem | None:
    """Rejecting an application needs a reason the applicant can read (rule 10).

    Returns a ``REASON_REQUIRED`` problem on the ``reason`` argument when it is blank.
    """
    if reason is None or not reason.strip():
        return Problem(
            ErrorCode.REASON_REQUIRED,
            "交付しない理由を、申請した団体にわかる言葉で書いてください。",
            "reason",
        )
    return None
