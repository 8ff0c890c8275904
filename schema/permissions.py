"""The authorisation matrix (rule 13, APPI), declared on fields and mutations.

| role | reads | writes |
|---|---|---|
| PUBLIC | reference data, published collaborations, agreements, organisations (their public fields; no individuals, no contact data) | nothing |
| STAFF | everything but audit events | partners; collaborations, agreements (and their signed documents, server/documents.py), subsidies, endorsements, proposals of its own department (and collaborations it shares as a co-department); contact checks, capacity reports |
| DISASTER_OFFICE | what PUBLIC reads, plus individuals and partners' contact data, agreements with emergency contacts, disasterSupport, the activation log, contact checks, capacity, the notice calendar | agreementVerifyContacts; disaster events and support requests; contact checks; capacity reports |
| INTEGRATION | what PUBLIC reads, plus individuals and partners' contact data | partnersUpsert, partnerCreate, partnerUpdate |
| ADMIN | everything, audit events included | everything |

Which partners a caller sees at all is ``domain.visibility.PartnerVisibility`` (one rule
for lists, counts, searches, filters, nodes and exports); the fields below say which of
a partner's fields it may read.

A forbidden field resolves to an error with ``extensions.code = "FORBIDDEN"``; a forbidden
mutation returns FORBIDDEN in its payload before its resolver runs, so it changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField

from kyodo.domain.access import co_department_codes_of, department_code_of
from kyodo.domain.enums import Role
from kyodo.domain.errors import ErrorCode
from kyodo.domain.visibility import PERSONAL_DATA_READERS, PartnerVisibility
from kyodo.schema.context import Context, Info, Principal
from kyodo.schema.errors import UserError
from kyodo.schema.node import from_global_id

PUBLIC, STAFF, DISASTER_OFFICE, INTEGRATION, ADMIN = (
    Role.PUBLIC,
    Role.STAFF,
    Role.DISASTER_OFFICE,
    Role.INTEGRATION,
    Role.ADMIN,
)

READ_PARTNERS = PERSONAL_DATA_READERS
"""Individual volunteers, and every partner's contact data (contacts, phones, e-mails,
addresses, representatives) and integration keys. Organisations themselves, with their
public fields, are readable by everyone."""
READ_EMERGENCY_CONTACTS = frozenset({STAFF, DISASTER_OFFICE, ADMIN})
READ_DISASTER = READ_EMERGENCY_CONTACTS
"""The activation log (disaster events, support requests), contact checks, capacity
reports and the notice calendar: the disaster office's tool, and the city staff's."""
WRITE_DISASTER = frozenset({DISASTER_OFFICE, ADMIN})
"""Disaster events and support requests: the disaster office runs the activation log."""
WRITE_CONTACT_CHECKS = frozenset({STAFF, DISASTER_OFFICE, ADMIN})
"""Calls of the yearly contact check and capacity reports (no owning department)."""
READ_INTERNAL = frozenset({STAFF, ADMIN})
"""Unpublished collaborations, subsidies, endorsements, proposals and analyses."""
READ_AUDIT = frozenset({ADMIN})

WRITE_PARTNERS = frozenset({STAFF, INTEGRATION, ADMIN})
WRITE_AGREEMENTS = frozenset({STAFF, ADMIN})
"""Agreements and their signed documents: STAFF of the owning department, and ADMIN."""

FORBIDDEN_READ = "この情報を見る権限がありません。"
FORBIDDEN_WRITE = "この操作を行う権限がありません。"


def can_read_internal(context: Context) -> bool:
    return context.principal.role in READ_INTERNAL


def can_read_audit(context: Context) -> bool:
    return context.principal.role in READ_AUDIT


def partner_visibility(context: Context) -> PartnerVisibility:
    """Which partners this caller may see (``domain.visibility``: no individuals for PUBLIC)."""
    return PartnerVisibility.for_role(context.principal.role)


def partner_visible(context: Context, partner: Any) -> bool:
    return partner_visibility(context).allows(partner)


class _RolePermission(BasePermission):
    roles: frozenset[Role] = frozenset()
    message = FORBIDDEN_READ
    error_extensions = {"code": ErrorCode.FORBIDDEN.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.role in self.roles


def _can_read(name: str, roles: frozenset[Role]) -> type[_RolePermission]:
    """The permission class ``name``: the caller's role is one of ``roles``."""
    return type(name, (_RolePermission,), {"roles": roles, "__module__": __name__})


CanReadPartners = _can_read("CanReadPartners", READ_PARTNERS)
CanReadEmergencyContacts = _can_read("CanReadEmergencyContacts", READ_EMERGENCY_CONTACTS)
CanReadDisaster = _can_read("CanReadDisaster", READ_DISASTER)
CanReadInternal = _can_read("CanReadInternal", READ_INTERNAL)
CanReadAudit = _can_read("CanReadAudit", READ_AUDIT)


# ------------------------------------------------------------------ mutations


class WritePermission(BasePermission):
    """May the caller run this mutation? Roles, and for STAFF the owning department."""

    message = FORBIDDEN_WRITE

    def __init__(
        self,
        *,
        roles: frozenset[Role] = frozenset({ADMIN}),
        own_department: bool = False,
        department_of: str | None = None,
        department_via_program: bool = False,
    ) -> None:
        self.roles = roles
        # STAFF may act only within its department (input.departmentCode and the records).
        self.own_department = own_department or bool(department_of) or department_via_program
        # Entity type whose stored record (argument ``id``) names the owning department.
        self.department_of = department_of
        # For submissions: the department is that of ``input.programId``'s program.
        self.department_via_program = department_via_program

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal.role not in self.roles:
            return False
        if principal.role is not STAFF or not self.own_department:
            return True
        codes, allowed = await self._codes(info, kwargs, principal.department_code)
        return all(code in allowed for code in codes)

    async def _codes(
        self, info: Info, kwargs: dict[str, Any], own: str | None
    ) -> tuple[list[str], set[str]]:
        """The departments this call touches (the stored record's and the input's), and
        those it may touch: its own, or — for STAFF of a co-department of the stored
        collaboration (rule 17) — the owner's, which it runs as its own but cannot move."""
        codes: list[str] = []
        allowed = {own} if own is not None else set()
        payload = kwargs.get("input")
        department_code = getattr(payload, "department_code", None)
        if isinstance(department_code, str):
            codes.append(department_code)
        lookups: list[tuple[str, Any]] = []
        if self.department_of and "id" in kwargs:
            lookups.append((self.department_of, kwargs["id"]))
        if self.department_via_program and payload is not None:
            lookups.append(("SubsidyProgram", getattr(payload, "program_id", None)))
        for entity_type, global_id in lookups:
            decoded = from_global_id(str(global_id)) if global_id else None
            if decoded is None or decoded[0] != entity_type:
                continue  # a malformed id is the mutation's own INVALID error
            code = await info.context.run(department_code_of, entity_type, decoded[1])
            if code is None:
                continue
            codes.append(code)
            shared = await info.context.run(co_department_codes_of, entity_type, decoded[1])
            if own in shared:
                allowed = {code}
        return codes, allowed


async def may_change_record(
    session: AsyncSession,
    principal: Principal,
    *,
    roles: frozenset[Role],
    entity_type: str,
    pk: int,
) -> bool:
    """``WritePermission``'s rule outside GraphQL (the upload route): the role, and for
    STAFF the department owning the stored record (an unknown record is left to the
    command's NOT_FOUND)."""
    if principal.role not in roles:
        return False
    if principal.role is not STAFF:
        return True
    code = await department_code_of(session, entity_type, pk)
    return code is None or code == principal.department_code


def _empty_value(type_: Any) -> Any:
    if isinstance(type_, StrawberryOptional):
        return None
    if isinstance(type_, StrawberryList):
        return []
    if type_ is int:
        return 0
    if type_ is bool:
        return False
    return None


class PayloadPermission(PermissionExtension):
    """Like Strawberry's PermissionExtension, but a refusal is the payload's FORBIDDEN error
    (expected failures of mutations never become top-level errors)."""

    def __init__(self, permission: WritePermission) -> None:
        super().__init__(permissions=[permission], use_directives=False)
        self.payload_type: Any = None

    def apply(self, field: StrawberryField) -> None:
        super().apply(field)
        self.payload_type = field.type

    def _on_unauthorized(self, permission: BasePermission) -> Any:
        definition = self.payload_type.__strawberry_definition__
        values = {
            f.python_name: _empty_value(f.type)
            for f in definition.fields
            if f.base_resolver is None and f.init
        }
        values["errors"] = [
            UserError(field=None, code=ErrorCode.FORBIDDEN, message=permission.message or "")
        ]
        return self.payload_type(**values)


def allow(
    *roles: Role,
    own_department: bool = False,
    department_of: str | None = None,
    department_via_program: bool = False,
) -> list[FieldExtension]:
    """``@strawberry.mutation(extensions=allow(STAFF, ADMIN, department_of="Agreement"))``.

    ``own_department``: STAFF only within the department named by ``input.departmentCode``;
    ``department_of``: ... and the department of the stored record ``id`` of that type;
    ``department_via_program``: ... and the department of ``input.programId``'s program.
    """
    return [
        PayloadPermission(
            WritePermission(
                roles=frozenset(roles),
                own_department=own_department,
                department_of=department_of,
                department_via_program=department_via_program,
            )
        )
    ]


__all__ = [
    "ADMIN",
    "DISASTER_OFFICE",
    "INTEGRATION",
    "PUBLIC",
    "STAFF",
    "CanReadAudit",
    "CanReadDisaster",
    "CanReadEmergencyContacts",
    "CanReadInternal",
    "CanReadPartners",
    "allow",
    "can_read_internal",
    "partner_visibility",
    "partner_visible",
]
