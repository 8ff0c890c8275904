"""Partner queries."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.domain.partners.service import PartnerFilterSpec, list_partners
from kyodo.schema.context import Info
from kyodo.schema.descriptions import ListFilter
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.partners.inputs import PartnerFilterInput, PartnerOrderInput
from kyodo.schema.partners.types import PartnerType
from kyodo.schema.permissions import partner_visibility


@strawberry.type
class PartnerQueries:
    @strawberry.field(
        description="Partners, in 五十音 order by default. Without a token: organisations "
        "only (no individual volunteers), and their contact data is not readable."
    )
    @paged
    async def partners(
        self,
        info: Info,
        page: PageRequest,
        filter: ListFilter[PartnerFilterInput] = None,
        order_by: Annotated[
            PartnerOrderInput | None,
            strawberry.argument(description="Sort order; 五十音 (NAME_KANA, ASC) when omitted."),
        ] = None,
    ) -> Connection[PartnerType]:
        return await read_page(
            info,
            PartnerType.from_row,
            list_partners,
            spec=filter.to_spec() if filter else PartnerFilterSpec(),
            order=order_by.to_spec() if order_by else None,
            page=page,
            today=info.context.today,
            visibility=partner_visibility(info.context),
        )
