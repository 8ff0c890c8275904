"""What each GraphQL field of an entity type is, for the compiled path.

Every spec mirrors the field's Strawberry resolver in ``schema/<area>/types.py`` and
calls the same functions it calls (``aware``, ``to_global_id``, ``to_wareki``,
:mod:`domain.agreements.terms`...), on rows that carry the model's attribute names.
Personal-data reads are noted for exactly the (entity, key, field) the resolver notes
(rule 13, APPI), so the access log records the same whichever path answered.
A field without a spec here is not compiled: a selection with it falls back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, get_named_type, is_leaf_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.lookup import in_category_order
from kyodo.domain.collaborations import service as collaborations
from kyodo.domain.collaborations.service import in_form_order
from kyodo.domain.enums import AgreementStatus as DomainAgreementStatus
from kyodo.domain.enums import PartnerKind
from kyodo.domain.japanese import fiscal_year_label, to_wareki
from kyodo.domain.ordering import Ordering
from kyodo.domain.read.models import entity
from kyodo.schema.agreements.types import AgreementType, in_force_day, stale_args, term_day
from kyodo.schema.collaborations.publication import publication_of
from kyodo.schema.collaborations.types import (
    CollaborationScreeningType,
    CollaborationType,
    EvaluationType,
    ParticipationType,
    ProgressReportType,
    budget_of,
    committee_of,
    readiness_of,
)
from kyodo.schema.common import aware
from kyodo.schema.compiled.plan import (
    ArgSite,
    Fallback,
    FetchBuilder,
    Planner,
    Request,
    Writer,
    _same,
    completer,
    leaf,
    plain,
    serializer,
)
from kyodo.schema.context import Context
from kyodo.schema.list_sizes import nested_list_limit
from kyodo.schema.node import to_global_id
from kyodo.schema.partners.types import AddressType, ContactType, PartnerType
from kyodo.schema.proposals.types import ProposalType
from kyodo.schema.reference.types import CollaborationFieldType, DepartmentType
from kyodo.schema.rows import plain_fields
from kyodo.schema.subsidies.types import SubsidyProgramType


@dataclass(frozen=True, eq=False)
class TypeSpec:
    name: str
    entity: str
    fields: dict[str, Any]
    personal: str | None = None
    """The entity type personal-data reads of this type are logged under."""
    check: Callable[[Any], Any] | None = None
    """Run on every object, as the type's ``from_row`` computes some fields eagerly (a
    value it cannot compute fails the whole object on the Strawberry path)."""
    check_needs: tuple[str, ...] = ()


class Value:
    """A value computed from the row's columns."""

    def __init__(
        self,
        needs: Sequence[str],
        get: Callable[[Any], Any] | None = None,
        *,
        note: str | None = None,
        noted_if: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        self.needs = tuple(needs)
        self.get = get or attrgetter(self.needs[0])
        self.note = note
        self.noted_if = noted_if

    def writer(
        self,
        planner: Planner,
        spec: TypeSpec,
        definition: GraphQLField,
        details: Sequence[FieldDetails],
        builder: FetchBuilder,
    ) -> Writer:
        builder.need(*self.needs)
        complete = leaf(definition.type)
        get, noted_if = self.get, self.noted_if
        if noted_if is None:
            if complete is _same:
                return plain(get)
            return lambda row, _request: complete(get(row))
        builder.need("id")
        entity_type, field_name = spec.personal, self.note
        assert entity_type is not None and field_name is not None

        def write(row: Any, request: Request) -> Any:
            value = get(row)
            if noted_if(row, value):
                request.note(entity_type, row.id, field_name)
            return complete(value)

        return write


def column(name: str) -> Value:
    return Value((name,))


def instant(name: str) -> Value:
    """Instants leave the API in Asia/Tokyo (``schema.common.aware``)."""
    get = attrgetter(name)
    return Value((name,), lambda row: aware(get(row)))


def global_id(type_name: str) -> Value:
    return Value(("id",), lambda row: to_global_id(type_name, row.id))


def columns(type_: type, entity_name: str) -> dict[str, Value]:
    """The type's plain fields (``schema.rows.plain_fields``) that are columns of the
    entity, as its ``from_row`` reads them: the global id, instants, stored values."""
    stored = entity(entity_name).decoders
    name = type_.__strawberry_definition__.name  # type: ignore[attr-defined]
    result: dict[str, Value] = {}
    for field in plain_fields(type_):
        if field.name == "id":
            result[field.graphql_name] = global_id(name)
        elif field.name in stored:
            result[field.graphql_name] = (instant if field.instant else column)(field.name)
    return result


class Computed:
    """A value computed from the row and the field's arguments."""

    def __init__(
        self,
        needs: Sequence[str],
        prepare: Callable[[dict[str, Any], Context], Any],
        get: Callable[[Any, Any], Any],
    ) -> None:
        self.needs = tuple(needs)
        self.prepare = prepare
        self.get = get

    def writer(
        self,
        planner: Planner,
        spec: TypeSpec,
        definition: GraphQLField,
        details: Sequence[FieldDetails],
        builder: FetchBuilder,
    ) -> Writer:
        builder.need(*self.needs)
        site = ArgSite(planner, details, definition, self.prepare)
        complete = leaf(definition.type)
        get, key = self.get, site.key
        return lambda row, request: complete(get(row, request.args[key]))


class Related:
    """Rows (or values) reached through a relation of the read model."""

    def __init__(
        self,
        relation: str,
        *,
        prepare: Callable[[dict[str, Any], Context], Any] | None = None,
        order: Callable[[list[Any]], list[Any]] | None = None,
        note: str | None = None,
    ) -> None:
        self.relation = relation
        self.prepare = prepare
        self.order = order
        self.note = note

    def writer(
        self,
        planner: Planner,
        spec: TypeSpec,
        definition: GraphQLField,
        details: Sequence[FieldDetails],
        builder: FetchBuilder,
    ) -> Writer:
        relation = builder.entity.relations[self.relation]
        named = get_named_type(definition.type)
        item: Writer
        if not relation.has_rows:
            key, nested = builder.relation(self.relation, None)
            serialize = serializer(definition.type)
            item = lambda value, _request: serialize(value)  # noqa: E731
        else:
            child = FetchBuilder(entity(relation.target))
            key, nested = builder.relation(self.relation, child)
            shape = planner.entity_shape(named.name, details, child)
            item = shape.write
        if self.prepare is not None:
            ArgSite(planner, details, definition, self.prepare, nested)
        elif definition.args:
            raise Fallback(f"{spec.name}.{details[0].node.name.value} takes arguments")
        complete = completer(definition.type, item)
        get, order = attrgetter(key), self.order
        if self.note is not None:
            builder.need("id")
        entity_type, field_name = spec.personal, self.note

        def write(row: Any, request: Request) -> Any:
            value = get(row)
            if order is not None:
                value = order(value)
            if field_name is not None and value:
                assert entity_type is not None
                request.note(entity_type, row.id, field_name)
            return complete(value, request)

        return write


class Paged:
    """A connection over a paged relation (``Partner.participations``): one page per
    parent row, with its total, as ``schema.pagination`` pages it. ``ordering``: the
    list's order, when its keys are columns of the rows (else cursors fall back)."""

    def __init__(
        self,
        relation: str,
        prepare: Callable[[dict[str, Any], Context], Any] | None = None,
        ordering: Ordering | None = None,
    ) -> None:
        self.relation = relation
        self.prepare = prepare
        self.ordering = ordering

    def writer(
        self,
        planner: Planner,
        spec: TypeSpec,
        definition: GraphQLField,
        details: Sequence[FieldDetails],
        builder: FetchBuilder,
    ) -> Writer:
        from kyodo.schema.compiled.roots import PageData, first_page, plan_connection

        relation = builder.entity.relations[self.relation]
        child = FetchBuilder(entity(relation.target))
        key, nested = builder.relation(self.relation, child)
        item_type = _connection_item(planner, definition)
        ordering = self.ordering
        names = ordering.names if ordering is not None else None
        _needs_total, write_connection = plan_connection(
            planner,
            definition,
            details,
            lambda sub: planner.entity_shape(item_type, sub, child),
            None if names is None else (lambda: child.need(*names)),
        )
        prepare = self.prepare

        def arguments(kwargs: dict[str, Any], context: Context) -> Any:
            page = first_page(kwargs)
            return page, prepare(kwargs, context) if prepare is not None else None

        ArgSite(  # registers itself with the planner
            planner, details, definition, arguments, nested
        )
        get = attrgetter(key)

        def write(row: Any, request: Request) -> Any:
            total, rows = get(row)
            return write_connection(PageData(rows, total, ordering), request)

        return write


def _connection_item(planner: Planner, definition: GraphQLField) -> str:
    connection = planner.object_type(get_named_type(definition.type).name)
    edge = get_named_type(connection.fields["edges"].type)
    return get_named_type(edge.fields["node"].type).name  # type: ignore[union-attr]


class Derived:
    """A value the domain computes from the row and rows related to it (readiness,
    progressOverdue), fetched for the purpose whatever else the selection asks."""

    def __init__(
        self,
        needs: Sequence[str],
        relations: dict[str, Sequence[str]],
        get: Callable[[Any, dict[str, Any], Context], Any],
    ) -> None:
        self.needs = tuple(needs)
        self.relations = relations
        self.get = get

    def writer(
        self,
        planner: Planner,
        spec: TypeSpec,
        definition: GraphQLField,
        details: Sequence[FieldDetails],
        builder: FetchBuilder,
    ) -> Writer:
        builder.need(*self.needs)
        keys: dict[str, str] = {}
        for name, columns in self.relations.items():
            relation = builder.entity.relations[name]
            child = FetchBuilder(entity(relation.target)) if relation.has_rows else None
            if child is not None:
                child.need(*columns)
            keys[name] = builder.relation(name, child)[0]
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            complete_leaf = leaf(definition.type)
            complete: Writer = lambda value, _request: complete_leaf(value)  # noqa: E731
        else:
            complete = completer(definition.type, planner.value_shape(named.name, details).write)
        get = self.get

        def write(row: Any, request: Request) -> Any:
            related = {name: getattr(row, key) for name, key in keys.items()}
            return complete(get(row, related, request.context), request)

        return write


class Embedded:
    """A value object made of some of the row's columns (a partner's Address)."""

    def __init__(
        self,
        needs: Sequence[str],
        make: Callable[[Any], Any],
        *,
        note: str | None = None,
        noted_if: Callable[[Any], bool] | None = None,
    ) -> None:
        self.needs = tuple(needs)
        self.make = make
        self.note = note
        self.noted_if = noted_if

    def writer(
        self,
        planner: Planner,
        spec: TypeSpec,
        definition: GraphQLField,
        details: Sequence[FieldDetails],
        builder: FetchBuilder,
    ) -> Writer:
        builder.need(*self.needs)
        shape = planner.value_shape(get_named_type(definition.type).name, details)
        complete = completer(definition.type, shape.write)
        make, noted_if = self.make, self.noted_if
        entity_type, field_name = spec.personal, self.note
        if noted_if is not None:
            builder.need("id")

        def write(row: Any, request: Request) -> Any:
            value = make(row)
            if value is not None and noted_if is not None and noted_if(row):
                assert entity_type is not None and field_name is not None
                request.note(entity_type, row.id, field_name)
            return complete(value, request)

        return write


# ---------------------------------------------------------------- partners


def _individual(row: Any, _value: Any = None) -> bool:
    return row.kind is PartnerKind.INDIVIDUAL


def _individual_and_set(row: Any, value: Any) -> bool:
    return row.kind is PartnerKind.INDIVIDUAL and bool(value)


def _address(row: Any) -> AddressType | None:
    """``PartnerType.address``: no address at all is null."""
    if not any((row.postal_code, row.prefecture, row.city, row.street)):
        return None
    return AddressType(
        postal_code=row.postal_code, prefecture=row.prefecture, city=row.city, street=row.street
    )


def _agreements_of_partner(kwargs: dict[str, Any], _context: Context) -> Any:
    """``PartnerType.agreements``: (at most how many, which statuses)."""
    limit = nested_list_limit(kwargs.get("first"))
    return limit, tuple(DomainAgreementStatus(s) for s in kwargs.get("status") or ())


def _first(kwargs: dict[str, Any], _context: Context) -> Any:
    """A plain list's ``first`` (``nested_list_limit``), for a limited relation."""
    return nested_list_limit(kwargs.get("first")), None


PARTNER = TypeSpec(
    "Partner",
    "Partner",
    personal="Partner",
    fields={
        **columns(PartnerType, "Partner"),
        "name": Value(("name", "kind"), note="name", noted_if=_individual),
        "externalId": column("external_id"),
        "representative": Value(
            ("representative",), note="representative", noted_if=lambda _row, value: bool(value)
        ),
        "address": Embedded(
            ("postal_code", "prefecture", "city", "street", "kind"),
            _address,
            note="address",
            noted_if=_individual,
        ),
        "phone": Value(("phone", "kind"), note="phone", noted_if=_individual_and_set),
        "email": Value(("email", "kind"), note="email", noted_if=_individual_and_set),
        "fields": Related("fields"),
        "contacts": Related("contacts", note="contacts"),
        "agreements": Related("agreements", prepare=_agreements_of_partner),
        "participations": Paged("participations"),
    },
)

CONTACT = TypeSpec(
    "Contact",
    "Contact",
    fields={
        **columns(ContactType, "Contact"),
    },
)

# ---------------------------------------------------------------- reference data

COLLABORATION_FIELD = TypeSpec(
    "CollaborationField",
    "CollaborationField",
    fields={
        **columns(CollaborationFieldType, "CollaborationField"),
        "group": column("group_name"),
    },
)


def _department_filter(kwargs: dict[str, Any], context: Context) -> Any:
    """``resolve_collaborations``' spec; the department itself is the link's condition."""
    from kyodo.schema.collaborations.inputs import CollaborationFilterInput
    from kyodo.schema.collaborations.types import public_only

    return (kwargs.get("filter") or CollaborationFilterInput()).to_spec(
        department_id=None, public_only=public_only(context)
    )


DEPARTMENT = TypeSpec(
    "Department",
    "Department",
    fields={
        **columns(DepartmentType, "Department"),
        "collaborations": Paged(
            "collaborations", _department_filter, collaborations.list_ordering()
        ),
    },
)

# ---------------------------------------------------------------- agreements

TERM_COLUMNS = (
    "status",
    "concluded_on",
    "effective_from",
    "effective_until",
    "auto_renewal",
    "renewal_term_months",
    "terminated_on",
)


def _wareki(row: Any) -> str | None:
    return to_wareki(row.concluded_on) if row.concluded_on else None


def _as_of(kwargs: dict[str, Any], context: Context) -> date:
    return term_day(kwargs.get("as_of"), context.today)


def _on(kwargs: dict[str, Any], context: Context) -> date:
    return in_force_day(kwargs.get("on"), context.today)


def _stale_args(kwargs: dict[str, Any], context: Context) -> tuple[date, int]:
    return stale_args(kwargs.get("as_of"), kwargs.get("max_age_days"), context.today)


def _stale(row: Any, args: tuple[date, int]) -> bool:
    return terms.contacts_stale(
        verified_on=row.contacts_verified_on, as_of=args[0], max_age_days=args[1]
    )


AGREEMENT = TypeSpec(
    "Agreement",
    "Agreement",
    personal="Agreement",
    # AgreementType.from_row computes the wareki date eagerly.
    check=_wareki,
    check_needs=("concluded_on",),
    fields={
        **columns(AgreementType, "Agreement"),
        "concludedOnWareki": Value(("concluded_on",), _wareki),
        "parties": Related("parties"),
        "department": Related("department"),
        "supportCategories": Related("support_categories", order=in_category_order),
        # BeyondCalendar (a term past 9999-12-31) is Strawberry's INVALID error: the
        # exception makes the request fall back.
        "currentTermEndsOn": Computed(TERM_COLUMNS, _as_of, terms.agreement_term_ends_on),
        "noticeDeadlineOn": Computed(
            (*TERM_COLUMNS, "notice_days"), _as_of, terms.notice_deadline_on
        ),
        "isInForce": Computed(TERM_COLUMNS, _on, terms.agreement_in_force_on),
        "emergencyContacts": Related("emergency_contacts", note="emergencyContacts"),
        "contactsStale": Computed(("contacts_verified_on",), _stale_args, _stale),
        "amends": Related("amends"),
        "collaboration": Related("collaboration"),
    },
)

# ---------------------------------------------------------------- collaborations

BUDGET_COLUMNS = ("budget_total_yen", "city_share_yen", "partner_share_yen")
PUBLICATION_COLUMNS = ("public_conclusion", "public_process", "published_on")
COMMITTEE_COLUMNS = (
    "committee_name",
    "committee_kind",
    "committee_established_on",
    "committee_dissolves_on",
)
READINESS_COLUMNS = (
    "purpose",
    "plan",
    "budget_total_yen",
    "starts_on",
    "ends_on",
    "responsibility",
    "city_can_do",
    "city_cannot_do",
)
SCREENING_COLUMNS = (
    "declared_unfit_grounds",
    "added_unfit_grounds",
    "screening_note",
    "screened_on",
)


def _fiscal_year_label(row: Any) -> str | None:
    return fiscal_year_label(row.fiscal_year) if row.fiscal_year is not None else None


def _progress_overdue(row: Any, related: dict[str, Any], context: Context) -> bool:
    return collaborations.progress_overdue(row, related["progress_reports"], as_of=context.today)


def _readiness(row: Any, related: dict[str, Any], _context: Context) -> Any:
    return readiness_of(row, related["all_participations"])


COLLABORATION = TypeSpec(
    "Collaboration",
    "Collaboration",
    # CollaborationType.from_row computes the fiscal-year label eagerly.
    check=_fiscal_year_label,
    check_needs=("fiscal_year",),
    fields={
        **columns(CollaborationType, "Collaboration"),
        "fiscalYearLabel": Value(("fiscal_year",), _fiscal_year_label),
        "budget": Embedded(BUDGET_COLUMNS, budget_of),
        "committee": Embedded(COMMITTEE_COLUMNS, committee_of),
        "screening": Embedded(SCREENING_COLUMNS, CollaborationScreeningType.from_row),
        "reviewedOn": column("reviewed_on"),
        "reviewNote": column("review_note"),
        "publication": Embedded(PUBLICATION_COLUMNS, publication_of),
        "forms": Related("forms", order=in_form_order),
        "department": Related("department"),
        "coDepartments": Related("co_departments"),
        "fields": Related("fields"),
        "participations": Related("participations"),
        "partnerCount": Related("partner_count"),
        "agreements": Related("agreements", prepare=_first),
        "progressReports": Related("progress_reports", prepare=_first),
        "progressOverdue": Derived(
            ("status", "starts_on", "ends_on"),
            {"progress_reports": ("reported_on",)},
            _progress_overdue,
        ),
        "evaluation": Related("evaluation"),
        "readiness": Derived(
            READINESS_COLUMNS,
            {"all_participations": ("role", "reason", "capacity")},
            _readiness,
        ),
        "subsidyProgram": Related("subsidy_program"),
    },
)

PARTICIPATION = TypeSpec(
    "Participation",
    "Participation",
    fields={
        **columns(ParticipationType, "Participation"),
        "partner": Related("partner"),
        "collaboration": Related("collaboration"),
    },
)

PROGRESS_REPORT = TypeSpec(
    "ProgressReport",
    "ProgressReport",
    fields=columns(ProgressReportType, "ProgressReport"),
)

EVALUATION = TypeSpec(
    "Evaluation",
    "Evaluation",
    fields={
        **columns(EvaluationType, "Evaluation"),
    },
)

# ---------------------------------------------------------------- proposals

PROPOSAL = TypeSpec(
    "Proposal",
    "Proposal",
    fields={
        **columns(ProposalType, "Proposal"),
        "identifiedNeeds": Value(("identified_needs",), lambda row: list(row.identified_needs)),
        "proposer": Related("proposer"),
        "department": Related("department"),
        "collaboration": Related("collaboration"),
    },
)

# ---------------------------------------------------------------- subsidies


def _remaining_budget(row: Any, related: dict[str, Any], _context: Context) -> int:
    """``SubsidyProgramType.remaining_budget_yen``: budgetYen minus grantedTotalYen."""
    return int(row.budget_yen - related["granted_total"])


SUBSIDY_PROGRAM = TypeSpec(
    "SubsidyProgram",
    "SubsidyProgram",
    fields={
        **columns(SubsidyProgramType, "SubsidyProgram"),
        "allowedExpenseCategories": Value(
            ("allowed_expense_categories",), lambda row: list(row.allowed_expense_categories)
        ),
        "department": Related("department"),
        "grantedTotalYen": Related("granted_total"),
        "remainingBudgetYen": Derived(("budget_yen",), {"granted_total": ()}, _remaining_budget),
    },
)

__all__ = ["AGREEMENT", "TYPES", "TypeSpec", "in_category_order"]

TYPES: dict[str, TypeSpec] = {
    spec.name: spec
    for spec in (
        PARTNER,
        CONTACT,
        COLLABORATION_FIELD,
        DEPARTMENT,
        AGREEMENT,
        COLLABORATION,
        PARTICIPATION,
        PROGRESS_REPORT,
        EVALUATION,
        PROPOSAL,
        SUBSIDY_PROGRAM,
    )
}
