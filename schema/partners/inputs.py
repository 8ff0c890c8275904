"""GraphQL inputs for reading partners."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry

from domain.base import UNSET
from domain.partners.commands import ContactData, PartnerData
from domain.partners.service import PartnerFilterSpec, PartnerOrderSpec
from domain.partners.service import PartnerOrderField as DomainOrderField
from schema.enums import OrderDirection, PartnerKind, PartnerStatus


@strawberry.input(name="PartnerFilter")
class PartnerFilterInput:
    kinds: list[PartnerKind] | None = None
    statuses: list[PartnerStatus] | None = None
    search: str | None = strawberry.field(
        default=None,
        description="Partial match on name and kana, insensitive to width (全角/半角) and to hiragana/katakana.",
    )
    field_codes: list[str] | None = None
    district: str | None = None
    corporate_number: str | None = None
    external_id: str | None = None
    has_agreement_in_force: bool | None = strawberry.field(
        default=None, description="Only partners party to an agreement in force today."
    )

    def to_spec(self) -> PartnerFilterSpec:
        return PartnerFilterSpec(
            kinds=self.kinds,
            statuses=self.statuses,
            search=self.search,
            field_codes=self.field_codes,
            district=self.district,
            corporate_number=self.corporate_number,
            external_id=self.external_id,
            has_agreement_in_force=self.has_agreement_in_force,
        )


@strawberry.enum(name="PartnerOrderField")
class PartnerOrderField(StrEnum):
    NAME_KANA = "NAME_KANA"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input(name="PartnerOrder")
class PartnerOrderInput:
    field: PartnerOrderField
    direction: OrderDirection

    def to_spec(self) -> PartnerOrderSpec:
        return PartnerOrderSpec(
            field=DomainOrderField(self.field.value),
            descending=self.direction == OrderDirection.DESC,
        )


# ------------------------------------------------------------------ mutation inputs


@strawberry.input(name="AddressInput")
class AddressInput:
    postal_code: str | None = None
    prefecture: str | None = None
    city: str | None = None
    street: str | None = None


@strawberry.input(name="ContactInput")
class ContactInput:
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    available_around_the_clock: bool | None = None
    is_emergency_contact: bool | None = None
    partner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="For an agreement's emergency contacts: the party this person speaks for "
        "(defaults to the only party of a one-party agreement). Not used for a partner's own contacts.",
    )

    def to_data(self) -> ContactData:
        return ContactData(
            name=self.name,
            role=self.role,
            phone=self.phone,
            email=self.email,
            available_around_the_clock=bool(self.available_around_the_clock),
            is_emergency_contact=bool(self.is_emergency_contact),
        )


def _value(value: Any) -> Any:
    """strawberry.UNSET (field not sent) becomes the domain's UNSET; null stays None."""
    return UNSET if value is strawberry.UNSET else value


class _PartnerFields:
    """Shared conversion of PartnerInput and PartnerUpsertInput to the domain's PartnerData."""

    kind: PartnerKind
    name: str
    name_kana: str | None
    corporate_number: str | None
    external_id: str | None
    status: PartnerStatus | None
    district: str | None
    representative: str | None
    address: AddressInput | None
    phone: str | None
    email: str | None
    website: str | None
    field_codes: list[str] | None
    contacts: list[ContactInput] | None

    def to_data(self) -> PartnerData:
        data = PartnerData(
            kind=self.kind,
            name=self.name,
            name_kana=_value(self.name_kana),
            corporate_number=_value(self.corporate_number),
            external_id=_value(self.external_id),
            status=_value(self.status),
            district=_value(self.district),
            representative=_value(self.representative),
            phone=_value(self.phone),
            email=_value(self.email),
            website=_value(self.website),
            field_codes=_value(self.field_codes),
        )
        if self.address is not strawberry.UNSET:
            # A sent address replaces the whole address; null clears it.
            address = self.address or AddressInput()
            data.postal_code = address.postal_code
            data.prefecture = address.prefecture
            data.city = address.city
            data.street = address.street
        if self.contacts is not strawberry.UNSET:
            data.contacts = [c.to_data() for c in self.contacts or []]
        return data


@strawberry.input(
    name="PartnerInput",
    description="A partner. On update, fields left out keep their value; null clears them.",
)
class PartnerInput(_PartnerFields):
    kind: PartnerKind
    name: str
    name_kana: str | None = strawberry.UNSET
    corporate_number: str | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET
    status: PartnerStatus | None = strawberry.UNSET
    district: str | None = strawberry.UNSET
    representative: str | None = strawberry.UNSET
    address: AddressInput | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    field_codes: list[str] | None = strawberry.UNSET
    contacts: list[ContactInput] | None = strawberry.UNSET


@strawberry.input(
    name="PartnerUpsertInput",
    description="A partner keyed by externalId, else corporateNumber: created when new, updated when changed.",
)
class PartnerUpsertInput(_PartnerFields):
    kind: PartnerKind
    name: str
    name_kana: str | None = strawberry.UNSET
    corporate_number: str | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET
    status: PartnerStatus | None = strawberry.UNSET
    district: str | None = strawberry.UNSET
    representative: str | None = strawberry.UNSET
    address: AddressInput | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    field_codes: list[str] | None = strawberry.UNSET
    contacts: list[ContactInput] | None = strawberry.UNSET
