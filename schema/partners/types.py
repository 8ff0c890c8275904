"""GraphQL types of partners and contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kyodo.domain.enums import AgreementStatus as DomainAgreementStatus
from kyodo.domain.enums import PartnerKind as DomainPartnerKind
from kyodo.domain.partners import service as partners
from kyodo.domain.partners.models import Partner
from kyodo.schema.context import Info
from kyodo.schema.descriptions import (
    NestedFirst,
)
from kyodo.schema.enums import AgreementStatus, PartnerKind, PartnerStatus
from kyodo.schema.list_sizes import NESTED_LIST_MAX, nested_list_limit
from kyodo.schema.node import Node, register_node
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    page_request,
    paged,
)
from kyodo.schema.permissions import CanReadInternal, CanReadPartners, partner_visible
from kyodo.schema.reference.types import CollaborationFieldType
from kyodo.schema.rows import FromRow, records_field, stamped

if TYPE_CHECKING:
    from kyodo.schema.agreements.types import AgreementType
    from kyodo.schema.collaborations.types import ParticipationType


@strawberry.type(name="Address", description="A postal address (所在地).")
class AddressType:
    postal_code: str | None = strawberry.field(description="郵便番号, e.g. 053-8722.")
    prefecture: str | None = strawberry.field(description="都道府県.")
    city: str | None = strawberry.field(description="市区町村.")
    street: str | None = strawberry.field(description="町名・番地, building.")


@strawberry.type(
    name="Contact",
    description="A person to reach. Personal data: visible only to roles allowed to see it.",
)
class ContactType(FromRow):
    name: str = strawberry.field(description="氏名.")
    role: str | None = strawberry.field(description="役職 or role, e.g. 総務課長.")
    phone: str | None = strawberry.field(description="Phone number.")
    email: str | None = strawberry.field(description="E-mail address.")
    available_around_the_clock: bool = strawberry.field(
        description="Reachable 24 hours a day (24時間連絡可)."
    )
    is_emergency_contact: bool = strawberry.field(
        description="To call in an emergency (緊急連絡先)."
    )


@strawberry.type(
    name="Collaborator", description="A partner another one has collaborated with, and how often."
)
class CollaboratorType:
    partner: PartnerType = strawberry.field(description="The other partner.")
    shared_collaboration_count: int = strawberry.field(
        description="Collaborations both took part in (cancelled ones not counted)."
    )


def _contact_field(column: str, label: str) -> Any:
    """The partner's ``phone`` or ``email``, not for PUBLIC: an individual's is personal
    data, its reads noted for the access log."""

    def resolve(self: PartnerType, info: Info) -> str | None:
        value: str | None = getattr(self.row, column)
        if self.row.kind is DomainPartnerKind.INDIVIDUAL:
            return self._personal(info, column, value)  # type: ignore[no-any-return]
        return value

    return strawberry.field(
        resolver=resolve,
        description=f"{label}; an individual's is personal data. Not for PUBLIC.",
        permission_classes=[CanReadPartners],
    )


@strawberry.type(
    name="Partner",
    description="A citizen, group, NPO or company the city collaborates with (協働の相手, "
    "第2章1). Without a token: organisations only, without contact data.",
)
@stamped
class PartnerType(Node, FromRow):
    kind: PartnerKind = strawberry.field(description="Who the partner is.")
    name_kana: str | None = strawberry.field(
        description="Reading in kana, used for 五十音 ordering."
    )
    corporate_number: str | None = strawberry.field(
        description="法人番号: 13 digits with a valid check digit, unique when present."
    )
    status: PartnerStatus = strawberry.field(description="Whether the partner is active.")
    district: str | None = strawberry.field(
        description="地区 (district) the partner belongs to or serves."
    )
    website: str | None = strawberry.field(description="Web site URL.")
    pk: strawberry.Private[int]
    row: strawberry.Private[Partner]

    # Personal data (rule 13): only roles that may read partners, and every read that
    # returns something is noted for the access log (APPI).

    def _personal(self, info: Info, field: str, value: Any) -> Any:
        if value:
            info.context.note_personal_read("Partner", self.pk, field)
        return value

    @strawberry.field(
        description="名称; for an individual, 氏名 (personal data: its reads are logged)."
    )
    def name(self, info: Info) -> str:
        # A volunteer's name is personal data too; an organisation's name is not.
        if self.row.kind is DomainPartnerKind.INDIVIDUAL:
            info.context.note_personal_read("Partner", self.pk, "name")
        return self.row.name

    @strawberry.field(
        description="Key of the partner in an integrating system; unique when present.",
        permission_classes=[CanReadPartners],
    )
    def external_id(self) -> str | None:
        return self.row.external_id

    @strawberry.field(
        description="代表者 (personal data); STAFF, DISASTER_OFFICE, INTEGRATION and ADMIN.",
        permission_classes=[CanReadPartners],
    )
    def representative(self, info: Info) -> str | None:
        return self._personal(info, "representative", self.row.representative)

    @strawberry.field(
        description="所在地; null when none is recorded. Not for PUBLIC.",
        permission_classes=[CanReadPartners],
    )
    def address(self, info: Info) -> AddressType | None:
        row = self.row
        if not any((row.postal_code, row.prefecture, row.city, row.street)):
            return None
        if row.kind is DomainPartnerKind.INDIVIDUAL:
            info.context.note_personal_read("Partner", self.pk, "address")
        return AddressType(
            postal_code=row.postal_code, prefecture=row.prefecture, city=row.city, street=row.street
        )

    phone = _contact_field("phone", "電話番号")
    email = _contact_field("email", "メールアドレス")

    fields = records_field(
        partners.fields_by_partner,
        "pk",
        CollaborationFieldType,
        "Fields of collaboration it is active in.",
    )

    @strawberry.field(
        description="People to reach (personal data: reads are logged). Not for PUBLIC.",
        permission_classes=[CanReadPartners],
    )
    async def contacts(self, info: Info) -> list[ContactType]:
        rows = await info.context.loader(partners.contacts_by_partner).load(self.pk)
        return self._personal(info, "contacts", [ContactType.from_row(c) for c in rows])

    @strawberry.field(
        description="The collaborations it takes part in, with its role. STAFF and ADMIN.",
        permission_classes=[CanReadInternal],
    )
    @paged
    async def participations(
        self,
        info: Info,
        page: PageRequest,
    ) -> Connection[
        Annotated[ParticipationType, strawberry.lazy("kyodo.schema.collaborations.types")]
    ]:
        from kyodo.domain.collaborations.service import (
            ParticipationsOfPartnerKey,
            participations_page_by_partner,
        )
        from kyodo.schema.collaborations.types import ParticipationType
        from kyodo.schema.pagination import connection

        key = ParticipationsOfPartnerKey(self.pk, page)
        result = await info.context.loader(participations_page_by_partner).load(key)
        return connection(result, ParticipationType.from_row)

    @strawberry.field(
        description=f"Agreements it is party to, newest conclusion first: the first {NESTED_LIST_MAX} "
        "unless first asks for fewer. All of them, page by page: "
        "agreements(filter: {partnerId: ...})."
    )
    async def agreements(
        self,
        info: Info,
        status: Annotated[
            list[AgreementStatus] | None,
            strawberry.argument(description="Only agreements in these statuses."),
        ] = None,
        first: NestedFirst = None,
    ) -> list[Annotated[AgreementType, strawberry.lazy("kyodo.schema.agreements.types")]]:
        from kyodo.schema.agreements.types import AgreementType

        limit = nested_list_limit(first)
        key = partners.AgreementsOfPartnerKey(
            self.pk, tuple(DomainAgreementStatus(s) for s in status or ()), limit
        )
        rows = await info.context.loader(partners.agreements_by_partner).load(key)
        return [AgreementType.from_row(a) for a in rows]

    @strawberry.field(
        description="Other partners this one has collaborated with, most shared collaborations first.",
        permission_classes=[CanReadInternal],
    )
    async def collaborators(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(description="At most this many: 20 when omitted, at most 100."),
        ] = None,
    ) -> list[CollaboratorType]:
        limit = page_request(first, None).limit
        key = partners.CollaboratorsKey(self.pk, limit)
        rows = await info.context.loader(partners.collaborators_by_partner).load(key)
        return [
            CollaboratorType(
                partner=PartnerType.from_row(row.partner),
                shared_collaboration_count=row.shared_collaboration_count,
            )
            for row in rows
        ]


register_node(
    "Partner", batch=partners.get_many, convert=PartnerType.from_row, visible=partner_visible
)
