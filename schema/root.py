"""Root fields that belong to no single area: node lookups and the viewer."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.schema.context import Info, Principal
from kyodo.schema.enums import Role
from kyodo.schema.list_sizes import MAX_NODES
from kyodo.schema.node import Node, resolve_nodes


@strawberry.type(name="Viewer", description="The caller, as their token identifies them.")
class ViewerType:
    name: str = strawberry.field(description="Name of the token's holder; anonymous without one.")
    role: Role = strawberry.field(description="What the caller may read and write.")
    department_code: str | None = strawberry.field(
        description="The department a STAFF caller writes for; null for other roles."
    )


@strawberry.type
class RootQueries:
    @strawberry.field(description="Any object by its global id; null when unknown or not visible.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id (any id field).")
        ],
    ) -> Node | None:
        return (await resolve_nodes(info.context, [id]))[0]

    @strawberry.field(description=f"Objects by global ids, in order (at most {MAX_NODES}).")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description=f"Global ids, at most {MAX_NODES}."),
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            from strawberry.exceptions import StrawberryGraphQLError

            raise StrawberryGraphQLError(
                f"ids は {MAX_NODES} 件までにしてください（指定: {len(ids)} 件）。",
                extensions={"code": "INVALID"},
            )
        return await resolve_nodes(info.context, ids)

    @strawberry.field(description="Who the caller is.")
    def viewer(self, info: Info) -> ViewerType:
        return viewer_of(info.context.principal)


def viewer_of(principal: Principal) -> ViewerType:
    return ViewerType(
        name=principal.name, role=principal.role, department_code=principal.department_code
    )
