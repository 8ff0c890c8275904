"""Recording partner-reported capacity (備蓄・能力, issue 11 item 13)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kyodo.domain.disasters import capacity
from kyodo.schema.agreements.types import CapacityReportType
from kyodo.schema.context import Info
from kyodo.schema.inputs import fields_of
from kyodo.schema.payloads import Payload, payload, pk, saved
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


@payload("CapacityReportPayload", "The outcome of recording a capacity report.")
class CapacityReportPayload(Payload):
    report: CapacityReportType | None = saved("report")


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
        return await CapacityReportPayload.run(
            info,
            capacity.record_capacity,
            **fields_of(input, partner_id=pk(input.partner_id, "Partner", "partner_id")),
        )
