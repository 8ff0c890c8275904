"""collaborationReportProgress: progress checks on running projects (rule 6, 第4章(3))."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.node import to_global_id

from .test_mutations_helpers import (
    REPORT,
    audit_count,
    codes_and_fields,
    created_in,
    events_of,
    read,
    world,
)

TODAY = date(2022, 3, 10)


async def _report(
    gql: Any,
    collaboration: dict[str, Any],
    *,
    on: str = "2021-10-01",
    note: str = "半分の地区で開催済み。参加者は予定より多い。",
    version: int | None = None,
) -> dict[str, Any]:
    data = await gql(
        REPORT,
        {"id": collaboration["id"], "on": on, "note": note, "v": version},
        today=TODAY,
    )
    return data["collaborationReportProgress"]


async def _refused(
    session: AsyncSession, gql: Any, collaboration: dict[str, Any], **kw: Any
) -> list[tuple[str, list[str] | None]]:
    """Send a report that must be refused; check nothing changed; return the errors."""
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)
    payload = await _report(gql, collaboration, **kw)
    assert payload["collaboration"] is None
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events
    return codes_and_fields(payload["errors"])


async def test_a_running_collaboration_records_progress_and_its_version_goes_up(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when
    payload = await _report(gql, collaboration, on="2021-10-01", note="予定どおり進んでいる")

    # then
    assert payload["errors"] == []
    reported = payload["collaboration"]
    assert reported["progressReports"] == [
        {"reportedOn": "2021-10-01", "note": "予定どおり進んでいる"}
    ]
    assert reported["version"] == collaboration["version"] + 1
    assert (await read(gql, collaboration["id"]))["progressReports"] == reported["progressReports"]


async def test_a_progress_report_writes_one_audit_event_with_the_reports_before_and_after(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")
    first = (await _report(gql, collaboration, on="2021-09-01", note="一回目"))["collaboration"]
    events = await audit_count(session)

    # when
    await _report(gql, first, on="2022-01-10", note="二回目")

    # then
    assert await audit_count(session) == events + 1
    event = (await events_of(session, collaboration["id"]))[-1]
    assert event.action == "collaboration.report_progress"
    assert event.entity_type == "Collaboration"
    assert event.changes == {
        "progress_reports": {
            "before": [{"reported_on": "2021-09-01", "note": "一回目"}],
            "after": [
                {"reported_on": "2021-09-01", "note": "一回目"},
                {"reported_on": "2022-01-10", "note": "二回目"},
            ],
        }
    }


async def test_a_report_with_the_current_version_is_recorded(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when
    payload = await _report(gql, collaboration, version=collaboration["version"])

    # then
    assert payload["errors"] == []


@pytest.mark.parametrize("status", ["PLANNING", "COMPLETED", "EVALUATED", "CANCELLED"])
async def test_only_running_collaborations_take_progress_reports(
    session: AsyncSession, gql: Any, status: str
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, status)

    # when
    errors = await _refused(session, gql, collaboration)

    # then
    assert errors == [("INVALID_TRANSITION", ["id"])]


async def test_a_progress_report_needs_a_note(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when
    errors = await _refused(session, gql, collaboration, note=" \u3000 ")

    # then
    assert errors == [("REQUIRED", ["note"])]


async def test_a_progress_report_cannot_be_dated_in_the_future(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when
    errors = await _refused(session, gql, collaboration, on="2022-03-11")

    # then
    assert errors == [("INVALID", ["reportedOn"])]


async def test_a_report_from_a_stale_version_is_refused_when_a_version_is_given(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when
    errors = await _refused(session, gql, collaboration, version=collaboration["version"] - 1)

    # then
    assert errors == [("VERSION_CONFLICT", ["expectedVersion"])]


async def test_a_report_on_an_unknown_collaboration_is_refused(
    session: AsyncSession, gql: Any
) -> None:
    # given
    events = await audit_count(session)
    missing = {"id": str(to_global_id("Collaboration", 999_999_999)), "version": 1}

    # when
    payload = await _report(gql, missing)

    # then
    assert codes_and_fields(payload["errors"]) == [("NOT_FOUND", ["id"])]
    assert await audit_count(session) == events
