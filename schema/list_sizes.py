"""How long each list of objects in the API can be: what the cost estimate multiplies by.

Every field returning a list of objects is declared here, with where its size comes from:

- ``Bound``: a rule of the domain caps it, and the estimate reads the rule's own constant
  (an agreement has at most ``domain.agreements.validation.MAX_PARTIES`` parties);
- ``FirstArgument``: the caller's ``first`` argument, ``default`` when omitted or null
  (the resolver uses the same default and refuses more than ``maximum``);
- ``CountOfArgument``: the number of items in an argument (``nodes(ids:)``), or in an
  argument of the field that returned the object (``partnersUpsert(input:)``'s partners);
- ``Assumed``: nothing in the domain caps it, and only trusted roles or reference data
  reach it; the estimate assumes ``size`` and says why.

Connections are sized by their own ``first`` or ``last`` (each connection takes
``first``).
``FILTER_COSTS`` adds what a filter costs when its work grows with the table (a text
search scans every row), whatever the page size.
``check_list_sizes`` runs when the schema is built: a list field missing here (or an
entry naming no list field) stops the schema from building, so a new list cannot
silently be estimated with a made-up size.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from strawberry.exceptions import StrawberryGraphQLError

from kyodo.domain import validation as v
from kyodo.domain.agreements.documents import MAX_DOCUMENTS
from kyodo.domain.agreements.validation import MAX_PARTIES
from kyodo.domain.collaborations.network import MAX_NETWORK_LINKS, MAX_NETWORK_NODES
from kyodo.domain.enums import CollaborationForm, PartnerKind
from kyodo.domain.labels import LABELS
from kyodo.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Bound:
    maximum: int
    rule: str


@dataclass(frozen=True, slots=True)
class FirstArgument:
    default: int
    maximum: int = MAX_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class CountOfArgument:
    argument: str
    maximum: int
    of_owner: bool = False
    """Count the argument of the field that returned this object (a mutation's payload)."""


@dataclass(frozen=True, slots=True)
class Assumed:
    size: int
    why: str


ListSize = Bound | FirstArgument | CountOfArgument | Assumed

MAX_NODES = 100
"""``nodes(ids:)`` takes at most this many ids."""
NESTED_LIST_MAX = MAX_PAGE_SIZE
"""Lists that no rule bounds (a partner's agreements, a collaboration's agreements and
progress reports) return at most this many, newest first, unless ``first`` asks for fewer."""

REFERENCE_DATA = Assumed(50, "reference data, loaded from the seeds, not written by the API")
ONE_PER_FIELD = Assumed(
    REFERENCE_DATA.size, "at most one per collaboration field (reference data); ≤ MAX_LIST"
)
_INPUT_LIST = f"domain.validation.MAX_LIST ({v.MAX_LIST}), checked on every write path"

LIST_SIZES: dict[tuple[str, str], ListSize] = {
    ("Query", "nodes"): CountOfArgument("ids", MAX_NODES),
    ("Query", "collaborationForms"): Bound(len(CollaborationForm), "one per form (enum)"),
    ("Query", "enumLabels"): Bound(
        sum(len(values) for values in LABELS.values()), "one per value (domain.labels.LABELS)"
    ),
    ("Query", "departments"): REFERENCE_DATA,
    ("Query", "collaborationFields"): REFERENCE_DATA,
    ("Query", "partnerSuggestions"): FirstArgument(default=10),
    ("Query", "partnerConcentration"): Assumed(MAX_PAGE_SIZE, "analysis for STAFF and ADMIN"),
    ("Query", "disasterSupport"): Assumed(MAX_PAGE_SIZE, "lookup for the disaster office"),
    ("Query", "disasterSupportNeedingReview"): Assumed(
        MAX_PAGE_SIZE, "agreements to review; the disaster office"
    ),
    ("Query", "subsidyPrograms"): Assumed(MAX_PAGE_SIZE, "a few per fiscal year"),
    ("Query", "collaborationReviewsDue"): Assumed(MAX_PAGE_SIZE, "worklist for STAFF and ADMIN"),
    ("CollaborationStats", "byForm"): Bound(len(CollaborationForm), "one per form (enum)"),
    ("CollaborationStats", "byFiscalYear"): Assumed(50, "one per fiscal year with collaborations"),
    ("CollaborationStats", "byDepartment"): REFERENCE_DATA,
    ("CollaborationStats", "byPartnerKind"): Bound(len(PartnerKind), "one per kind (enum)"),
    ("Query", "disasterEvents"): Assumed(MAX_PAGE_SIZE, "a few a year; the disaster office"),
    ("Query", "openSupportRequests"): Assumed(MAX_PAGE_SIZE, "live view for the disaster office"),
    ("Query", "agreementsDue"): Assumed(MAX_PAGE_SIZE, "calendar for the disaster office"),
    ("Query", "contactsDue"): Assumed(MAX_PAGE_SIZE, "reminders for the disaster office"),
    ("ContactDue", "agreements"): Assumed(10, "a partner's disaster-support agreements"),
    ("ContactDue", "calls"): Assumed(10, "a few calls a year per partner"),
    ("DisasterEvent", "requests"): Assumed(MAX_PAGE_SIZE, "activation log; the disaster office"),
    ("Agreement", "parties"): Bound(
        MAX_PARTIES, "domain.agreements.validation.MAX_PARTIES, checked on every write path"
    ),
    ("Agreement", "emergencyContacts"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("Agreement", "documents"): Bound(
        MAX_DOCUMENTS, "domain.agreements.documents.MAX_DOCUMENTS, checked on every upload"
    ),
    ("DisasterSupportEntry", "emergencyContacts"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("DisasterSupportEntry", "capacity"): Assumed(20, "a partner reports a few items"),
    ("Partner", "fields"): ONE_PER_FIELD,
    ("Partner", "contacts"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("Partner", "agreements"): FirstArgument(default=NESTED_LIST_MAX),
    ("Partner", "collaborators"): FirstArgument(default=DEFAULT_PAGE_SIZE),
    ("PartnerSuggestion", "matchingFields"): ONE_PER_FIELD,
    ("PartnerNetwork", "nodes"): Bound(
        MAX_NETWORK_NODES, "kyodo.domain.collaborations.network.MAX_NETWORK_NODES"
    ),
    ("PartnerNetwork", "links"): Bound(
        MAX_NETWORK_LINKS, "kyodo.domain.collaborations.network.MAX_NETWORK_LINKS"
    ),
    ("Collaboration", "fields"): ONE_PER_FIELD,
    ("Collaboration", "coDepartments"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("Collaboration", "participations"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("Collaboration", "agreements"): FirstArgument(default=NESTED_LIST_MAX),
    ("Collaboration", "progressReports"): FirstArgument(default=NESTED_LIST_MAX),
    ("SubsidyApplication", "expenses"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("SubsidyApplication", "actualExpenses"): Bound(v.MAX_LIST, _INPUT_LIST),
    ("ConditionCheck", "violations"): Assumed(10, "at most one or two per condition"),
    ("PartnersUpsertPayload", "partners"): CountOfArgument("input", v.MAX_BULK, of_owner=True),
}
# A mutation's errors: one per problem of its input (leaves, for trusted roles only).
for _payload in (
    "AgreementPayload",
    "CapacityReportPayload",
    "CollaborationPayload",
    "ContactVerificationPayload",
    "DisasterEventPayload",
    "EndorsementApplicationPayload",
    "PartnerDeletePayload",
    "PartnerPayload",
    "PartnersUpsertPayload",
    "ProposalPayload",
    "SubsidyApplicationPayload",
    "SubsidyProgramPayload",
    "SupportRequestPayload",
):
    LIST_SIZES[(_payload, "errors")] = Assumed(MAX_PAGE_SIZE, "one per problem of the input")


@dataclass(frozen=True, slots=True)
class FilterCost:
    cost: int
    why: str


_SCAN = FilterCost(
    10_000, "matches the folded text of every row (no index; ~30 ms per 5,000 rows on SQLite)"
)
_IN_FORCE = FilterCost(
    25_000,
    "decides the terms of every candidate agreement in Python, then matches them by id "
    "(~70 ms for 5,000 agreements)",
)
FILTER_COSTS: dict[tuple[str, str, str], FilterCost] = {
    ("Query", "agreements", "search"): _SCAN,
    ("Query", "agreements", "inForceOn"): _IN_FORCE,
    ("Query", "partners", "search"): _SCAN,
    ("Query", "partners", "hasAgreementInForce"): _IN_FORCE,
    ("Query", "collaborations", "search"): _SCAN,
    ("Query", "collaborationStats", "search"): _SCAN,
    ("Department", "collaborations", "search"): _SCAN,
}
"""Filters whose database work grows with the table, not with the page: what one use
costs on top of the field (``filter: {<key>: ...}`` given and not null or empty)."""


class ListSizesError(RuntimeError):
    """The schema has a list of objects whose size is not declared (or a stale entry)."""


def is_connection(type_: GraphQLNamedType | None) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and "edges" in type_.fields
        and "pageInfo" in type_.fields
    )


def list_size_problems(
    schema: GraphQLSchema,
    sizes: dict[tuple[str, str], ListSize] | None = None,
    filter_costs: dict[tuple[str, str, str], FilterCost] | None = None,
) -> list[str]:
    """What is missing from (or wrong in) ``sizes`` and ``filter_costs`` for ``schema``."""
    sizes = LIST_SIZES if sizes is None else sizes
    filter_costs = FILTER_COSTS if filter_costs is None else filter_costs
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for type_name, type_ in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        for field_name, field in type_.fields.items():
            key = (type_name, field_name)
            field_type = get_nullable_type(field.type)
            named = get_named_type(field_type)
            if is_connection(named) and "first" not in field.args:
                problems.append(f"{type_name}.{field_name}: a connection without `first`")
            if not (is_list_type(field_type) and is_composite_type(named)):
                continue
            if is_connection(type_) and field_name in ("edges", "nodes"):
                continue  # sized by the connection's `first`
            size = sizes.get(key)
            seen.add(key)
            if size is None:
                problems.append(
                    f"{type_name}.{field_name}: a list of {named.name} without a declared size"
                )
            elif isinstance(size, FirstArgument) and "first" not in field.args:
                problems.append(f"{type_name}.{field_name}: declared by `first`, has none")
            elif isinstance(size, CountOfArgument) and size.argument not in (
                _owner_arguments(schema, type_name) if size.of_owner else set(field.args)
            ):
                whose = f"the fields returning {type_name} have" if size.of_owner else "has"
                problems.append(f"{type_name}.{field_name}: {whose} no argument `{size.argument}`")
    for key in sorted(set(sizes) - seen):
        problems.append(f"{key[0]}.{key[1]}: declared, but no such list field")
    for type_name, field_name, key in filter_costs:
        owner = schema.type_map.get(type_name)
        field = owner.fields.get(field_name) if isinstance(owner, GraphQLObjectType) else None
        argument = field.args.get("filter") if field is not None else None
        filter_type = get_named_type(argument.type) if argument is not None else None
        if key not in getattr(filter_type, "fields", {}):
            problems.append(f"{type_name}.{field_name}: no filter `{key}` to cost")
    return problems


def _owner_arguments(schema: GraphQLSchema, type_name: str) -> set[str]:
    """Arguments that every field returning ``type_name`` takes."""
    found: list[set[str]] = [
        set(field.args)
        for owner_name, owner in schema.type_map.items()
        if isinstance(owner, GraphQLObjectType) and not owner_name.startswith("__")
        for field in owner.fields.values()
        if get_named_type(field.type).name == type_name
    ]
    return set.intersection(*found) if found else set()


def check_list_sizes(schema: GraphQLSchema) -> None:
    problems = list_size_problems(schema)
    if problems:
        raise ListSizesError(
            "Declare the size of every list of objects in schema/list_sizes.py:\n  "
            + "\n  ".join(problems)
        )


def nested_list_limit(first: int | None, *, default: int = NESTED_LIST_MAX) -> int:
    """``first`` of a plain list: ``default`` when omitted, 0 to ``NESTED_LIST_MAX``."""
    limit = default if first is None else first
    if limit < 0 or limit > NESTED_LIST_MAX:
        raise StrawberryGraphQLError(
            f"first は 0 以上 {NESTED_LIST_MAX} 以下で指定してください（指定値: {limit}）。",
            extensions={"code": "INVALID", "max": NESTED_LIST_MAX},
        )
    return limit
