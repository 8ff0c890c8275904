"""The compiled path's Collaboration and what hangs off it: Participation,
ProgressReport, Evaluation (``schema/collaborations/types.py``)."""

from __future__ import annotations

from typing import Any

from kyodo.domain.collaborations import service as collaborations
from kyodo.domain.collaborations.rules import READINESS_COLUMNS
from kyodo.domain.collaborations.service import in_form_order
from kyodo.domain.japanese import fiscal_year_label
from kyodo.schema.collaborations.publication import publication_of
from kyodo.schema.collaborations.types import (
    CollaborationScreeningType,
    CollaborationType,
    EvaluationType,
    ParticipationType,
    ProgressReportType,
    budget_of,
    committee_of,
    readiness_of,
)
from kyodo.schema.compiled.specs import Derived, Embedded, Related, TypeSpec, Value, column, columns
from kyodo.schema.context import Context
from kyodo.schema.list_sizes import nested_list_limit

BUDGET_COLUMNS = ("budget_total_yen", "city_share_yen", "partner_share_yen")
PUBLICATION_COLUMNS = ("public_conclusion", "public_process", "published_on")
COMMITTEE_COLUMNS = (
    "committee_name",
    "committee_kind",
    "committee_established_on",
    "committee_dissolves_on",
)
SCREENING_COLUMNS = (
    "declared_unfit_grounds",
    "added_unfit_grounds",
    "screening_note",
    "screened_on",
)


def _first(kwargs: dict[str, Any], _context: Context) -> Any:
    """A plain list's ``first`` (``nested_list_limit``), for a limited relation."""
    return nested_list_limit(kwargs.get("first")), None


def _fiscal_year_label(row: Any) -> str | None:
    return fiscal_year_label(row.fiscal_year) if row.fiscal_year is not None else None


def _progress_overdue(row: Any, related: dict[str, Any], context: Context) -> bool:
    return collaborations.progress_overdue(row, related["progress_reports"], as_of=context.today)


def _readiness(row: Any, related: dict[str, Any], _context: Context) -> Any:
    return readiness_of(row, related["all_participations"])


COLLABORATION = TypeSpec(
    "Collaboration",
    "Collaboration",
    fields={
        **columns(CollaborationType, "Collaboration"),
        "fiscalYearLabel": Value(("fiscal_year",), _fiscal_year_label),
        "budget": Embedded(BUDGET_COLUMNS, budget_of),
        "committee": Embedded(COMMITTEE_COLUMNS, committee_of),
        "screening": Embedded(SCREENING_COLUMNS, CollaborationScreeningType.from_row),
        "reviewedOn": column("reviewed_on"),
        "reviewNote": column("review_note"),
        "publication": Embedded(PUBLICATION_COLUMNS, publication_of),
        "forms": Related("forms", order=in_form_order),
        "department": Related("department"),
        "coDepartments": Related("co_departments"),
        "fields": Related("fields"),
        "participations": Related("participations"),
        "partnerCount": Related("partner_count"),
        "agreements": Related("agreements", prepare=_first),
        "progressReports": Related("progress_reports", prepare=_first),
        "progressOverdue": Derived(
            ("status", "starts_on", "ends_on"),
            {"progress_reports": ("reported_on",)},
            _progress_overdue,
        ),
        "evaluation": Related("evaluation"),
        "readiness": Derived(
            READINESS_COLUMNS,
            {"all_participations": ("role", "reason", "capacity")},
            _readiness,
        ),
        "subsidyProgram": Related("subsidy_program"),
    },
)

PARTICIPATION = TypeSpec(
    "Participation",
    "Participation",
    fields={
        **columns(ParticipationType, "Participation"),
        "partner": Related("partner"),
        "collaboration": Related("collaboration"),
    },
)

PROGRESS_REPORT = TypeSpec(
    "ProgressReport",
    "ProgressReport",
    fields=columns(ProgressReportType, "ProgressReport"),
)

EVALUATION = TypeSpec(
    "Evaluation",
    "Evaluation",
    fields={
        **columns(EvaluationType, "Evaluation"),
    },
)
