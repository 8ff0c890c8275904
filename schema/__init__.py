"""The GraphQL schema: every area's queries (and mutations) merged into one ``schema``."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from schema.agreements.calendar import CalendarQueries
from schema.agreements.mutations import AgreementMutations
from schema.agreements.queries import AgreementQueries
from schema.audit.queries import AuditQueries
from schema.collaborations.mutations import CollaborationMutations
from schema.collaborations.queries import CollaborationQueries
from schema.disasters.capacity import CapacityMutations
from schema.disasters.contacts import ContactMutations, ContactQueries
from schema.disasters.mutations import DisasterMutations
from schema.disasters.queries import DisasterQueries
from schema.endorsements.mutations import EndorsementMutations
from schema.endorsements.queries import EndorsementQueries
from schema.error_log import Schema
from schema.extensions import SchemaOptions, default_extensions
from schema.list_sizes import check_list_sizes
from schema.mutation import MutationExecutor
from schema.partners.mutations import PartnerMutations
from schema.partners.queries import PartnerQueries
from schema.proposals.mutations import ProposalMutations
from schema.proposals.queries import ProposalQueries
from schema.reference.queries import ReferenceQueries
from schema.root import RootQueries
from schema.subsidies.mutations import SubsidyMutations
from schema.subsidies.queries import SubsidyQueries

Query = merge_types(
    "Query",
    (
        RootQueries,
        ReferenceQueries,
        PartnerQueries,
        CollaborationQueries,
        AgreementQueries,
        DisasterQueries,
        ContactQueries,
        CalendarQueries,
        SubsidyQueries,
        EndorsementQueries,
        ProposalQueries,
        AuditQueries,
    ),
)


Mutation = merge_types(
    "Mutation",
    (
        PartnerMutations,
        CollaborationMutations,
        AgreementMutations,
        DisasterMutations,
        ContactMutations,
        CapacityMutations,
        SubsidyMutations,
        EndorsementMutations,
        ProposalMutations,
    ),
)


def build_schema(production: bool = False) -> strawberry.Schema:
    """The schema with its limits (schema/extensions.py); no introspection in production.

    Refuses to build (ListSizesError) when a list of objects has no declared size.
    """
    built = Schema(
        query=Query,
        mutation=Mutation,
        extensions=default_extensions(SchemaOptions(is_production=production)),
        # Each mutation commits once its answer is built (schema/mutation.py).
        execution_context_class=MutationExecutor,
    )
    check_list_sizes(built._schema)
    return built


schema = build_schema()

__all__ = ["Mutation", "Query", "build_schema", "schema"]
