"""The root fields the compiled path answers, each as its Strawberry resolver does.

Arguments go through the resolver's own conversions (``page_request``, the filter
inputs' ``to_spec``), the lists through the list services' own conditions and order
(``domain.partners.service.list_conditions``...), pages through ``schema.pagination``'s
cursors and ``domain.pagination.Page``: one definition of each, whichever path runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.reference.service import department_order, field_order
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import Fallback
from kyodo.schema.compiled.roots.agreements_due import _agreements_due
from kyodo.schema.compiled.roots.analyses import (
    _partner_concentration,
    _partner_network,
    _partner_suggestions,
)
from kyodo.schema.compiled.roots.contacts_due import _contacts_due
from kyodo.schema.compiled.roots.disaster import (
    _disaster_support,
    _disaster_support_needing_review,
)
from kyodo.schema.compiled.roots.lists import (
    RootPlanner,
    _agreements,
    _audit_events,
    _collaborations,
    _disaster_events,
    _endorsement_applications,
    _entity_list,
    _open_support_requests,
    _partners,
    _proposals,
    _subsidy_applications,
    _subsidy_programs,
)
from kyodo.schema.compiled.roots.nodes import _node, _nodes
from kyodo.schema.compiled.roots.values import _nothing, _values
from kyodo.schema.enum_labels import enum_labels_of
from kyodo.schema.reference.queries import collaboration_form_infos
from kyodo.schema.root import viewer_of


def plan_root(planner: Planner, key: str, details: Sequence[FieldDetails]) -> RootPlan:
    name = details[0].node.name.value
    if name == "__typename":
        return RootPlan(key, _nothing, lambda _request: "Query")
    root = ROOTS.get(name)
    if root is None:
        raise Fallback(f"Query.{name} is not compiled")
    query_type = planner.schema.query_type
    assert query_type is not None
    definition = planner.field(query_type, details)
    return root(planner, key, details, definition)


ROOTS: dict[str, RootPlanner] = {
    "partners": _partners,
    "agreements": _agreements,
    "collaborations": _collaborations,
    "proposals": _proposals,
    "endorsementApplications": _endorsement_applications,
    "auditEvents": _audit_events,
    "subsidyPrograms": _subsidy_programs,
    "subsidyApplications": _subsidy_applications,
    "node": _node,
    "nodes": _nodes,
    "disasterSupport": _disaster_support,
    "disasterSupportNeedingReview": _disaster_support_needing_review,
    "contactsDue": _contacts_due,
    "agreementsDue": _agreements_due,
    "partnerConcentration": _partner_concentration,
    "partnerNetwork": _partner_network,
    "partnerSuggestions": _partner_suggestions,
    "disasterEvents": _disaster_events,
    "openSupportRequests": _open_support_requests,
    "departments": _entity_list("Department", department_order),
    "collaborationFields": _entity_list("CollaborationField", field_order),
    "viewer": _values("Viewer", lambda request: viewer_of(request.context.principal)),
    "collaborationForms": _values(
        "CollaborationFormInfo", lambda _request: collaboration_form_infos()
    ),
    "enumLabels": _values(
        "EnumLabel",
        lambda _request, labels: labels,
        lambda kwargs, _context: enum_labels_of(kwargs.get("enums")),
    ),
}
