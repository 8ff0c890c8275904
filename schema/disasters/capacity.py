"""Recording partner-reported capacity (備蓄・能力, issue 11 item 13)."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.disasters import capacity
from domain.disasters.models import CapacityReport
from schema.agreements.types import CapacityReportType
from schema.context import Info
from schema.errors import UserError
from schema.mutation import Outcome, run_mutation
from schema.node import pk_of
from schema.permissions import ADMIN, DISASTER_OFFICE, STAFF, allow


@strawberry.input(name="CapacityReportInput")
class CapacityReportInput:
    partner_id: strawberry.ID
    item: str = strawberry.field(description="e.g. 飲料水（2リットル）, 毛布, 4トントラック.")
    quantity: int = strawberry.field(description="0 or more, in unit.")
    unit: str = strawberry.field(description="e.g. 本, 枚, 台.")
    reported_on: date = strawberry.field(description="The day the partner reported it.")
    note: str | None = None


@strawberry.type(name="CapacityReportPayload")
class CapacityReportPayload:
    report: CapacityReportType | None
    errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[CapacityReport]) -> CapacityReportPayload:
        value = outcome.value
        return cls(
            report=CapacityReportType.from_row(value) if value else None, errors=outcome.errors
        )


@strawberry.type
class CapacityMutations:
    @strawberry.mutation(
        extensions=allow(STAFF, DISASTER_OFFICE, ADMIN),
        description=(
            "Record what a partner reported it can supply; disasterSupport shows its latest "
            "report per item (reportedOn not in the future)."
        ),
    )
    async def capacity_report_record(
        self, info: Info, input: CapacityReportInput
    ) -> CapacityReportPayload:
        context = info.context

        async def work(s: AsyncSession) -> CapacityReport:
            return await capacity.record_capacity(
                s,
                partner_id=pk_of(input.partner_id, "Partner", ["input", "partnerId"]),
                item=input.item,
                quantity=input.quantity,
                unit=input.unit,
                reported_on=input.reported_on,
                note=input.note,
                today=context.today,
                actor=context.actor,
            )

        return CapacityReportPayload.of(await run_mutation(context, work))
