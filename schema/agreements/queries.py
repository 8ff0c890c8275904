"""Agreement queries: the agreement list and the disaster-management office's lookup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import strawberry

from kyodo.domain.agreements import lookup
from kyodo.domain.agreements.service import AgreementFilterSpec, list_agreements
from kyodo.schema.agreements.inputs import AgreementFilterInput
from kyodo.schema.agreements.types import AgreementType, DisasterSupportEntryType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import ListFilter
from kyodo.schema.enums import SupportCategory
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.permissions import CanReadEmergencyContacts, partner_visibility
from kyodo.schema.rows import read_rows

# The disaster lookup's arguments, shared with disasterSupportNeedingReview.
DisasterCategories = Annotated[
    list[SupportCategory] | None,
    strawberry.argument(description="Only partners offering any of these; all when omitted."),
]
DisasterDay = Annotated[
    date | None, strawberry.argument(description="In force on this day; today when omitted.")
]
DisasterDistrict = Annotated[
    str | None, strawberry.argument(description="Only partners of this 地区.")
]


def disaster_lookup(entry: type[Any], read: Callable[..., Any], description: str) -> Any:
    """A query of the disaster lookup (disasterSupport, disasterSupportNeedingReview), for
    its office (emergency contacts): ``read(session, categories=, on=, district=)``, ``on``
    today when omitted, each row as ``entry.from_row``."""

    async def resolve(
        self: Any,
        info: Info,
        categories: DisasterCategories = None,
        on: DisasterDay = None,
        district: DisasterDistrict = None,
    ) -> list[Any]:
        return await read_rows(
            info,
            entry.from_row,
            read,
            categories=categories,
            on=on or info.context.today,
            district=district,
        )

    resolve.__annotations__["return"] = list[entry]  # type: ignore[valid-type]
    return strawberry.field(
        resolver=resolve, description=description, permission_classes=[CanReadEmergencyContacts]
    )


@strawberry.type
class AgreementQueries:
    @strawberry.field(description="Agreements, newest conclusion first.")
    @paged
    async def agreements(
        self,
        info: Info,
        page: PageRequest,
        filter: ListFilter[AgreementFilterInput] = None,
    ) -> Connection[AgreementType]:
        spec = filter.to_spec() if filter else AgreementFilterSpec()
        return await read_page(
            info,
            AgreementType.from_row,
            list_agreements,
            spec=spec,
            page=page,
            today=info.context.today,
            visibility=partner_visibility(info.context),
        )

    disaster_support = disaster_lookup(
        DisasterSupportEntryType,
        lookup.disaster_support,
        "The disaster-management office's lookup: agreement partners in force on a date, "
        "by what they can do.",
    )
