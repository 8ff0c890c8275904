"""The partner network (第2章1(4)): partners as nodes, the collaborations they share as
links, for network views.

Everything here reads; nothing commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from kyodo.domain.batches import rows_by_ids
from kyodo.domain.collaborations.fields import in_fields
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.enums import CollaborationStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.partners.models import Partner


@dataclass(frozen=True, slots=True)
class PartnerLink:
    source_id: int
    target_id: int
    shared_collaboration_count: int


@dataclass(frozen=True, slots=True)
class PartnerNetwork:
    nodes: list[Partner]
    links: list[PartnerLink]


MAX_NETWORK_NODES = 500
MAX_NETWORK_LINKS = 5000
DEFAULT_MIN_SHARED_COLLABORATIONS = 1
"""How many shared collaborations make a link when none is asked for."""


@dataclass(frozen=True, slots=True)
class NetworkGraph:
    """The network by ids: what :func:`network_graph` decides, before the partner rows
    are read (each read path reads them its own way)."""

    node_ids: list[int]
    links: list[PartnerLink]


def happened(collaboration: Any = Collaboration) -> sa.ColumnElement[bool]:
    """A collaboration partners can have shared: not cancelled (a cancelled one never
    happened). The network's links and each partner's collaborators count these."""
    return col(collaboration.status) != CollaborationStatus.CANCELLED


async def partner_network(session: AsyncSession, **arguments: Any) -> PartnerNetwork:
    """The graph of :func:`network_graph` (the same arguments), with its partners."""
    graph = await network_graph(session, **arguments)
    partners = await rows_by_ids(session, Partner, graph.node_ids)
    return PartnerNetwork(nodes=[partners[pk] for pk in graph.node_ids], links=graph.links)


async def network_graph(
    session: AsyncSession,
    *,
    field_codes: Sequence[str] | None = None,
    fiscal_year: int | None = None,
    min_shared_collaborations: int = DEFAULT_MIN_SHARED_COLLABORATIONS,
) -> NetworkGraph:
    """Partners linked by the collaborations they share, for network views (第2章1(4)).

    Collaborations count when in any of ``field_codes`` (if given) and of ``fiscal_year``
    (if given); cancelled ones never happened and do not count. A link joins two partners
    (``source_id < target_id``) sharing at least ``min_shared_collaborations`` of them.
    Bounded: the :data:`MAX_NETWORK_LINKS` strongest links are considered, and of their
    partners the :data:`MAX_NETWORK_NODES` most connected (by shared collaborations) are
    kept, with only the links among kept partners. Nodes come most connected first, then
    in 五十音 order.
    """
    if min_shared_collaborations < 1:
        raise DomainError(
            ErrorCode.INVALID,
            "共通の協働事業の数は 1 以上にしてください。",
            "min_shared_collaborations",
        )
    collaboration_filter = [happened()]
    if fiscal_year is not None:
        collaboration_filter.append(col(Collaboration.fiscal_year) == fiscal_year)
    if field_codes:
        collaboration_filter.append(in_fields(field_codes))
    source = aliased(Participation)
    target = aliased(Participation)
    shared = sa.func.count(sa.distinct(col(source.collaboration_id)))
    strongest = (
        sa.select(
            col(source.partner_id).label("source_id"),
            col(target.partner_id).label("target_id"),
            shared.label("shared"),
        )
        .join(target, col(target.collaboration_id) == col(source.collaboration_id))
        .join(Collaboration, col(Collaboration.id) == col(source.collaboration_id))
        .where(col(source.partner_id) < col(target.partner_id), *collaboration_filter)
        .group_by(col(source.partner_id), col(target.partner_id))
        .having(shared >= min_shared_collaborations)
        .order_by(shared.desc(), col(source.partner_id), col(target.partner_id))
        .limit(MAX_NETWORK_LINKS)
        .subquery()
    )
    # The two partners' sort keys with each link (a node is ranked by it on ties): the
    # links and what ranks their nodes in one statement.
    source_partner = aliased(Partner)
    target_partner = aliased(Partner)
    stmt = (
        sa.select(
            strongest.c.source_id,
            strongest.c.target_id,
            strongest.c.shared,
            col(source_partner.sort_key),
            col(target_partner.sort_key),
        )
        .join(source_partner, col(source_partner.id) == strongest.c.source_id)
        .join(target_partner, col(target_partner.id) == strongest.c.target_id)
        .order_by(strongest.c.shared.desc(), strongest.c.source_id, strongest.c.target_id)
    )
    links: list[PartnerLink] = []
    degree: dict[int, int] = defaultdict(int)
    sort_keys: dict[int, str] = {}
    for s, t, n, source_key, target_key in await session.execute(stmt):
        links.append(PartnerLink(source_id=s, target_id=t, shared_collaboration_count=n))
        degree[s] += n
        degree[t] += n
        sort_keys[s], sort_keys[t] = source_key, target_key
    ranked = sorted(degree, key=lambda pk: (-degree[pk], sort_keys[pk], pk))[:MAX_NETWORK_NODES]
    kept = set(ranked)
    return NetworkGraph(
        node_ids=ranked,
        links=[link for link in links if link.source_id in kept and link.target_id in kept],
    )
