"""The GraphQL schema: every area's queries (and mutations) merged into one ``schema``."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from kyodo.schema.agreements.calendar import CalendarQueries
from kyodo.schema.agreements.mutations import AgreementMutations
from kyodo.schema.agreements.queries import AgreementQueries
from kyodo.schema.audit.queries import AuditQueries
from kyodo.schema.collaborations.mutations import CollaborationMutations
from kyodo.schema.collaborations.publication import PublicationMutations, PublicationQueries
from kyodo.schema.collaborations.queries import CollaborationQueries
from kyodo.schema.collaborations.reviews import ReviewMutations, ReviewQueries
from kyodo.schema.collaborations.screening import CollaborationScreeningMutations
from kyodo.schema.disasters.capacity import CapacityMutations
from kyodo.schema.disasters.contacts import ContactMutations, ContactQueries
from kyodo.schema.disasters.mutations import DisasterMutations
from kyodo.schema.disasters.queries import DisasterQueries
from kyodo.schema.disasters.review import DisasterReviewQueries
from kyodo.schema.endorsements.mutations import EndorsementMutations
from kyodo.schema.endorsements.queries import EndorsementQueries
from kyodo.schema.enum_labels import EnumLabelQueries
from kyodo.schema.error_log import Schema
from kyodo.schema.extensions import SchemaOptions, default_extensions
from kyodo.schema.list_sizes import check_list_sizes
from kyodo.schema.mutation import MutationExecutor
from kyodo.schema.partners.mutations import PartnerMutations
from kyodo.schema.partners.queries import PartnerQueries
from kyodo.schema.proposals.mutations import ProposalMutations
from kyodo.schema.proposals.queries import ProposalQueries
from kyodo.schema.reference.queries import ReferenceQueries
from kyodo.schema.root import RootQueries
from kyodo.schema.scalars import SCALAR_OVERRIDES
from kyodo.schema.subscriptions import Subscription
from kyodo.schema.subsidies.mutations import SubsidyMutations
from kyodo.schema.subsidies.queries import SubsidyQueries

Query = merge_types(
    "Query",
    (
        RootQueries,
        ReferenceQueries,
        EnumLabelQueries,
        PartnerQueries,
        CollaborationQueries,
        PublicationQueries,
        ReviewQueries,
        AgreementQueries,
        DisasterQueries,
        DisasterReviewQueries,
        ContactQueries,
        CalendarQueries,
        SubsidyQueries,
        EndorsementQueries,
        ProposalQueries,
        AuditQueries,
    ),
)


Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What can be read. Without a token (PUBLIC) only published information, no personal "
    'data; which role reads what: README, "Who may read and write what".'
)

Mutation = merge_types(
    "Mutation",
    (
        PartnerMutations,
        CollaborationMutations,
        CollaborationScreeningMutations,
        PublicationMutations,
        ReviewMutations,
        AgreementMutations,
        DisasterMutations,
        ContactMutations,
        CapacityMutations,
        SubsidyMutations,
        EndorsementMutations,
        ProposalMutations,
    ),
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What can be changed. Each mutation writes all of its input or nothing: bad input "
    "comes back in the payload's errors (UserError), never half written."
)


def build_schema(production: bool = False) -> strawberry.Schema:
    """The schema with its limits (schema/extensions/); no introspection in production.

    Refuses to build (ListSizesError) when a list of objects has no declared size.
    """
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=default_extensions(SchemaOptions(is_production=production)),
        # Each mutation commits once its answer is built (schema/mutation.py).
        execution_context_class=MutationExecutor,
        scalar_overrides=SCALAR_OVERRIDES,
    )
    check_list_sizes(built._schema)
    return built


schema = build_schema()

__all__ = ["Mutation", "Query", "Subscription", "build_schema", "schema"]
