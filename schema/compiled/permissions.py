"""Permissions decided on the selection, from each field's own permission classes
(``schema.permissions``), without running any resolver: a field the role may not read
is Strawberry's to answer."""

from __future__ import annotations

from graphql import GraphQLField
from strawberry.permission import BasePermission, PermissionExtension

from kyodo.domain.enums import Role


def permissions_of(definition: GraphQLField) -> list[BasePermission] | None:
    """The permissions a field declares, or None when it has extensions the compiled
    path does not know (they might do anything)."""
    strawberry_field = definition.extensions.get("strawberry-definition")
    if strawberry_field is None:
        return []
    permissions: list[BasePermission] = []
    for extension in strawberry_field.extensions:
        if type(extension) is not PermissionExtension:
            return None
        permissions.extend(extension.permissions)
    return permissions


def role_may_read(definition: GraphQLField, role: Role) -> bool:
    """Whether every permission on the field lets ``role`` read it: the field's own
    declaration (``schema.permissions``), decided without running any resolver."""
    from kyodo.schema.permissions import _RolePermission

    permissions = permissions_of(definition)
    if permissions is None:
        return False
    for permission in permissions:
        if not isinstance(permission, _RolePermission) or (
            type(permission).has_permission is not _RolePermission.has_permission
        ):
            return False  # a permission that may look at more than the role
        if role not in permission.roles:
            return False
    return True
