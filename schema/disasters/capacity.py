"""Recording partner-reported capacity (備蓄・能力, issue 11 item 13)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.disasters import capacity
from kyodo.domain.disasters.models import CapacityReport
from kyodo.schema.agreements.types import CapacityReportType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import PAYLOAD_ERRORS
from kyodo.schema.errors import UserError
from kyodo.schema.mutation import Outcome, run_mutation
from kyodo.schema.node import pk_of
from kyodo.schema.permissions import ADMIN, DISASTER_OFFICE, STAFF, allow


@strawberry.input(
    name="CapacityReportInput", description="What a partner reported it can supply, and when."
)
class CapacityReportInput:
    partner_id: strawberry.ID = strawberry.field(description="Global id of the partner.")
    item: str = strawberry.field(description="e.g. 飲料水（2リットル）, 毛布, 4トントラック.")
    quantity: int = strawberry.field(description="0 or more, in unit.")
    unit: str = strawberry.field(description="e.g. 本, 枚, 台.")
    reported_on: date = strawberry.field(description="The day the partner reported it.")
    note: str | None = strawberry.field(default=None, description="The partner's remarks.")


@strawberry.type(
    name="CapacityReportPayload", description="The outcome of recording a capacity report."
)
class CapacityReportPayload:
    report: CapacityReportType | None = strawberry.field(
        description="The report as saved; null when errors is not empty."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)

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
        self,
        info: Info,
        input: Annotated[CapacityReportInput, strawberry.argument(description="The report.")],
    ) -> CapacityReportPayload:
        context = info.context

        async def work(s: AsyncSession) -> CapacityReport:
            return await capacity.record_capacity(
                s,
                partner_id=pk_of(input.partner_id, "Partner", "partner_id"),
                item=input.item,
                quantity=input.quantity,
                unit=input.unit,
                reported_on=input.reported_on,
                note=input.note,
                today=context.today,
                actor=context.actor,
            )

        return CapacityReportPayload.of(await run_mutation(context, work))
