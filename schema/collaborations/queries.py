"""Collaboration queries: the list, and the analyses of 第4章(5)(7)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.exceptions import StrawberryGraphQLError

from kyodo.domain.collaborations import analyses, network, service
from kyodo.domain.errors import DomainError
from kyodo.domain.japanese import fiscal_year_of
from kyodo.schema.collaborations.analyses import (
    ConcentrationFindingType,
    PartnerNetworkType,
    PartnerSuggestionType,
)
from kyodo.schema.collaborations.inputs import CollaborationFilterInput
from kyodo.schema.collaborations.types import CollaborationType, public_only
from kyodo.schema.context import Info
from kyodo.schema.descriptions import ListFilter
from kyodo.schema.errors import input_path
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    paged,
    read_page,
)
from kyodo.schema.permissions import CanReadInternal, partner_visibility

R = TypeVar("R")


async def _run_query(info: Info, fn: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
    """Run a domain read; an expected failure becomes a GraphQL error with its code."""
    try:
        return await info.context.run(fn, **kwargs)
    except DomainError as error:
        problem = error.problems[0]
        raise StrawberryGraphQLError(
            "\n".join(p.message for p in error.problems),
            extensions={"code": problem.code.value, "field": input_path(problem)},
        ) from error


def _or_default(value: int | None, default: int) -> int:
    """An optional number argument: an explicit null means the default, as leaving it
    out does (its GraphQL default)."""
    return default if value is None else value


async def resolve_collaborations(
    info: Info,
    *,
    page: PageRequest,
    filter: CollaborationFilterInput | None = None,
    department_id: int | None = None,
) -> Connection[CollaborationType]:
    """A page of collaborations; ``department_id`` narrows it to one 担当課."""
    spec = (filter or CollaborationFilterInput()).to_spec(
        department_id=department_id, public_only=public_only(info.context)
    )
    return await read_page(
        info,
        CollaborationType.from_row,
        service.list_collaborations,
        spec=spec,
        page=page,
        visibility=partner_visibility(info.context),
    )


@strawberry.type
class CollaborationQueries:
    @strawberry.field(
        description="Collaborations, newest fiscal year first (anonymous callers: published only)."
    )
    @paged
    async def collaborations(
        self,
        info: Info,
        page: PageRequest,
        filter: ListFilter[CollaborationFilterInput] = None,
    ) -> Connection[CollaborationType]:
        return await resolve_collaborations(info, page=page, filter=filter)

    @strawberry.field(
        description="Department–partner pairs repeated over consecutive fiscal years (第4章(5)).",
        permission_classes=[CanReadInternal],
    )
    async def partner_concentration(
        self,
        info: Info,
        from_fiscal_year: Annotated[
            int,
            strawberry.argument(description="First fiscal year of the range (2021 = 令和3年度)."),
        ],
        to_fiscal_year: Annotated[
            int,
            strawberry.argument(
                description=f"Last fiscal year of the range; at most {analyses.MAX_CONCENTRATION_SPAN_YEARS} "
                "years after the first (INVALID otherwise)."
            ),
        ],
        min_consecutive_years: Annotated[
            int | None,
            strawberry.argument(
                description="Report pairs with at least this many consecutive years "
                f"({analyses.DEFAULT_MIN_CONSECUTIVE_YEARS} when omitted)."
            ),
        ] = analyses.DEFAULT_MIN_CONSECUTIVE_YEARS,
        department_code: Annotated[
            str | None, strawberry.argument(description="Only this department (by code).")
        ] = None,
    ) -> list[ConcentrationFindingType]:
        findings = await _run_query(
            info,
            analyses.partner_concentration,
            from_fiscal_year=from_fiscal_year,
            to_fiscal_year=to_fiscal_year,
            min_consecutive_years=_or_default(
                min_consecutive_years, analyses.DEFAULT_MIN_CONSECUTIVE_YEARS
            ),
            department_code=department_code,
        )
        return [ConcentrationFindingType.from_domain(f) for f in findings]

    @strawberry.field(
        description="Partners active in the given fields, preferring those the department "
        "has not worked with lately (中間支援, 第4章(7)). Individuals are not suggested. "
        "first: 10 by default, at most 100.",
        permission_classes=[CanReadInternal],
    )
    async def partner_suggestions(
        self,
        info: Info,
        field_codes: Annotated[
            list[str], strawberry.argument(description="The fields of the need (codes).")
        ],
        department_code: Annotated[
            str | None,
            strawberry.argument(
                description="The department asking: partners it has not worked with lately "
                "come first (第4章(5))."
            ),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(description="At most this many: 10 when omitted, at most 100."),
        ] = analyses.DEFAULT_SUGGESTIONS,
    ) -> list[PartnerSuggestionType]:
        suggestions = await _run_query(
            info,
            analyses.partner_suggestions,
            field_codes=field_codes,
            department_code=department_code,
            first=_or_default(first, analyses.DEFAULT_SUGGESTIONS),
            current_fiscal_year=fiscal_year_of(info.context.today),
        )
        return [PartnerSuggestionType.from_domain(s) for s in suggestions]

    @strawberry.field(
        description="Partners as nodes, shared collaborations as links, for network views "
        f"(cancelled collaborations not counted; at most {network.MAX_NETWORK_NODES} "
        "nodes, the most connected).",
        permission_classes=[CanReadInternal],
    )
    async def partner_network(
        self,
        info: Info,
        field_codes: Annotated[
            list[str] | None,
            strawberry.argument(description="Only collaborations in any of these fields."),
        ] = None,
        fiscal_year: Annotated[
            int | None, strawberry.argument(description="Only collaborations of this fiscal year.")
        ] = None,
        min_shared_collaborations: Annotated[
            int | None,
            strawberry.argument(
                description="Links of at least this many shared collaborations "
                f"({network.DEFAULT_MIN_SHARED_COLLABORATIONS} when omitted)."
            ),
        ] = network.DEFAULT_MIN_SHARED_COLLABORATIONS,
    ) -> PartnerNetworkType:
        found = await _run_query(
            info,
            network.partner_network,
            field_codes=field_codes,
            fiscal_year=fiscal_year,
            min_shared_collaborations=_or_default(
                min_shared_collaborations, network.DEFAULT_MIN_SHARED_COLLABORATIONS
            ),
        )
        return PartnerNetworkType.from_domain(found)
