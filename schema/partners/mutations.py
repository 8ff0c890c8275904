"""Partner mutations: create, update, bulk upsert for integration scripts, delete."""

from __future__ import annotations

from typing import Annotated

import strawberry

from kyodo.domain.partners import commands
from kyodo.schema.context import Info
from kyodo.schema.descriptions import PAYLOAD_ERRORS, ExpectedVersion, Id
from kyodo.schema.errors import UserError
from kyodo.schema.mutation import run_mutation
from kyodo.schema.node import pk_of
from kyodo.schema.partners.inputs import PartnerInput, PartnerUpsertInput
from kyodo.schema.partners.types import PartnerType
from kyodo.schema.payloads import Payload, argument, payload, saved
from kyodo.schema.permissions import ADMIN, INTEGRATION, STAFF, allow
from kyodo.schema.selections import asks_for


@payload("PartnerPayload", "The outcome of creating or updating a partner.")
class PartnerPayload(Payload):
    partner: PartnerType | None = saved("partner")


@strawberry.type(
    name="PartnersUpsertPayload", description="The outcome of a bulk load (partnersUpsert)."
)
class PartnersUpsertPayload:
    created: int = strawberry.field(description="Rows that were new partners.")
    updated: int = strawberry.field(description="Rows that changed an existing partner.")
    unchanged: int = strawberry.field(description="Rows equal to what is stored.")
    partners: list[PartnerType] = strawberry.field(
        description="The partners in input order; empty when any row failed (nothing is written then) and on a dry run."
    )
    errors: list[UserError] = strawberry.field(
        description="Problems, each with the row's index in its field path; empty on success."
    )


@strawberry.type(name="PartnerDeletePayload", description="The outcome of partnerDelete.")
class PartnerDeletePayload:
    deleted: bool = strawberry.field(description="True when the partner was removed.")
    deactivated: bool = strawberry.field(
        description="True when the partner has history and was set INACTIVE instead."
    )
    partner: PartnerType | None = strawberry.field(
        description="The partner, when it was deactivated rather than deleted."
    )
    errors: list[UserError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type
class PartnerMutations:
    partner_create = PartnerPayload.mutation(
        commands.create_partner,
        description="Register a partner. 法人番号 and externalId must be unused (DUPLICATE).",
        extensions=allow(STAFF, INTEGRATION, ADMIN),
        input=argument(PartnerInput, "The new partner.", to_data=True),
    )
    partner_update = PartnerPayload.change_mutation(
        commands.update_partner,
        description="Change a partner: fields left out of input keep their value.",
        extensions=allow(STAFF, INTEGRATION, ADMIN),
        input=argument(PartnerInput, "The fields to change.", to_data=True),
    )

    @strawberry.mutation(
        extensions=allow(STAFF, INTEGRATION, ADMIN),
        description="Idempotent bulk load for integration scripts: all rows or none.",
    )
    async def partners_upsert(
        self,
        info: Info,
        input: Annotated[
            list[PartnerUpsertInput],
            strawberry.argument(
                description="The rows, at most 1000; keyed by externalId, else corporateNumber."
            ),
        ],
        dry_run: Annotated[
            bool | None,
            strawberry.argument(description="Validate and count only; nothing is written."),
        ] = False,
    ) -> PartnersUpsertPayload:
        context = info.context
        rows = [row.to_data() for row in input]
        # An integration script asking only for the counts is not sent 1,000 partners.
        with_partners = asks_for(info, "partners")
        outcome = await run_mutation(
            context,
            lambda s: commands.upsert_partners(
                s,
                rows=rows,
                dry_run=bool(dry_run),
                actor=context.actor,
                with_partners=with_partners,
            ),
            # Two identical loads racing: the loser retries and finds everything unchanged.
            retry_on_conflict=2,
        )
        if outcome.value is None:
            return PartnersUpsertPayload(
                created=0, updated=0, unchanged=0, partners=[], errors=outcome.errors
            )
        result = outcome.value
        if dry_run:
            # Nothing was written: roll back the read-only transaction and show no rows.
            return PartnersUpsertPayload(
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                partners=[],
                errors=[],
            )
        return PartnersUpsertPayload(
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            partners=[PartnerType.from_row(p) for p in result.partners],
            errors=[],
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN),
        description="Delete a partner without history; one referenced by agreements, collaborations or applications is deactivated instead.",
    )
    async def partner_delete(
        self, info: Info, id: Id, expected_version: ExpectedVersion
    ) -> PartnerDeletePayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.delete_partner(
                s,
                partner_id=pk_of(id, "Partner"),
                expected_version=expected_version,
                actor=context.actor,
            ),
        )
        if outcome.errors:
            return PartnerDeletePayload(
                deleted=False, deactivated=False, partner=None, errors=outcome.errors
            )
        partner = outcome.value
        return PartnerDeletePayload(
            deleted=partner is None,
            deactivated=partner is not None,
            partner=PartnerType.from_row(partner) if partner else None,
            errors=[],
        )
