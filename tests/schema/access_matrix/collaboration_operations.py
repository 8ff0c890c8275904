"""The access matrix's calls of the collaboration mutations of issue 11 practices 3 and 6:
publishing (第2章2) and recording a review of partners (第4章(5))."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.collaborations.models import Collaboration
from tests.schema.collaborations.factories import make_collaboration

from .support import Probe, World, gid, operation


async def _own_collaboration(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    target = await make_collaboration(session, department=world.own, is_public=False)
    return {"id": gid("Collaboration", target), "v": target.version}, Probe(
        Collaboration, target.id
    )


operation(
    "collaborationPublish",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, input: { conclusion: "来年も続けます", '
    'process: "参加者と話し合って決めました" }',
    "collaboration { id }",
)(_own_collaboration)

operation(
    "collaborationRecordReview",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, input: { reviewedOn: "2022-03-01", '
    'nextReviewDueOn: "2023-03-01" }',
    "collaboration { id }",
)(_own_collaboration)
