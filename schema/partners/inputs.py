"""GraphQL inputs for reading partners."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from kyodo.domain.partners.inputs import ADDRESS_FIELDS, SCALARS, ContactData, PartnerData
from kyodo.domain.partners.service import PartnerFilterSpec, PartnerOrderSpec
from kyodo.domain.partners.service import PartnerOrderField as DomainOrderField
from kyodo.schema.enums import OrderDirection, PartnerKind, PartnerStatus, describe_values
from kyodo.schema.input_builders import planned_input
from kyodo.schema.inputs import fields_of, kept, value_of


@strawberry.input(
    name="PartnerFilter", description="Which partners to list; every criterion given must hold."
)
class PartnerFilterInput:
    kinds: list[PartnerKind] | None = strawberry.field(
        default=None, description="Only partners of these kinds."
    )
    statuses: list[PartnerStatus] | None = strawberry.field(
        default=None, description="Only partners in these statuses."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Partial match on name and kana, insensitive to width (全角/半角) and to hiragana/katakana.",
    )
    field_codes: list[str] | None = strawberry.field(
        default=None, description="Only partners active in any of these fields (codes)."
    )
    district: str | None = strawberry.field(default=None, description="Only this 地区, exactly.")
    corporate_number: str | None = strawberry.field(
        default=None, description="The partner with this 法人番号 (13 digits)."
    )
    external_id: str | None = strawberry.field(
        default=None, description="The partner with this key of an integrating system."
    )
    has_agreement_in_force: bool | None = strawberry.field(
        default=None, description="Only partners party to an agreement in force today."
    )

    def to_spec(self) -> PartnerFilterSpec:
        return PartnerFilterSpec(**fields_of(self))


@strawberry.enum(name="PartnerOrderField", description="What partners can be sorted by.")
class PartnerOrderField(StrEnum):
    NAME_KANA = "NAME_KANA"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


describe_values(
    PartnerOrderField,
    {
        "NAME_KANA": "五十音 order of the reading (nameKana, else the name).",
        "CREATED_AT": "When the partner was registered.",
        "UPDATED_AT": "When the partner last changed.",
    },
)


@strawberry.input(name="PartnerOrder", description="How to sort partners.")
class PartnerOrderInput:
    field: PartnerOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(description="Which way.")

    def to_spec(self) -> PartnerOrderSpec:
        return PartnerOrderSpec(
            field=DomainOrderField(self.field.value),
            descending=self.direction == OrderDirection.DESC,
        )


# ------------------------------------------------------------------ mutation inputs


@strawberry.input(
    name="AddressInput", description="A postal address; sent whole, it replaces the old one."
)
class AddressInput:
    postal_code: str | None = strawberry.field(
        default=None, description="郵便番号: 7 digits, 053-8722 or 0538722 (INVALID otherwise)."
    )
    prefecture: str | None = strawberry.field(default=None, description="都道府県, e.g. 北海道.")
    city: str | None = strawberry.field(default=None, description="市区町村.")
    street: str | None = strawberry.field(default=None, description="町名・番地, building.")


@strawberry.input(
    name="ContactInput", description="A person to reach; personal data (rule 13, APPI)."
)
class ContactInput:
    name: str = strawberry.field(description="氏名 (required).")
    role: str | None = strawberry.field(default=None, description="役職 or role, e.g. 総務課長.")
    phone: str | None = strawberry.field(
        default=None,
        description="Phone number, e.g. 0144-32-6111 (full-width digits are folded; INVALID when malformed).",
    )
    email: str | None = strawberry.field(default=None, description="E-mail address.")
    available_around_the_clock: bool | None = strawberry.field(
        default=None, description="Reachable 24 hours a day (24時間連絡可); false when omitted."
    )
    is_emergency_contact: bool | None = strawberry.field(
        default=None, description="To call in an emergency (緊急連絡先); false when omitted."
    )
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


class _PartnerFields:
    """Shared conversion of PartnerInput and PartnerUpsertInput to the domain's PartnerData:
    each scalar column of ``SCALARS`` (the address's in ``address``) by its own name."""

    address: AddressInput | None
    field_codes: list[str] | None
    contacts: list[ContactInput] | None

    def to_data(self) -> PartnerData:
        sent = vars(self)
        # The columns sent; those left out keep PartnerData's default, the domain's UNSET.
        data = PartnerData(
            **{
                name: value
                for name in _OWN_SCALARS
                if (value := sent[name]) is not strawberry.UNSET
            }
        )
        data.field_codes = value_of(self.field_codes)
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


_OWN_SCALARS = tuple(name for name in SCALARS if name not in ADDRESS_FIELDS)
"""The scalar columns an input has as fields of its own (the address's are in ``address``)."""


@strawberry.input(
    name="PartnerInput",
    description="A partner. On update, fields left out keep their value; null clears them.",
)
class PartnerInput(_PartnerFields):
    kind: PartnerKind = strawberry.field(description="Who the partner is (required).")
    name: str = strawberry.field(description="名称 or, for an individual, 氏名 (required).")
    name_kana: str | None = kept("Reading in kana (フリガナ), for 五十音 ordering.")
    corporate_number: str | None = kept(
        "法人番号: 13 digits with a valid check digit (INVALID_CORPORATE_NUMBER), "
        "unique (DUPLICATE); full-width digits and hyphens are accepted."
    )
    external_id: str | None = kept(
        "Key of the partner in an integrating system; unique (DUPLICATE)."
    )
    status: PartnerStatus | None = kept("ACTIVE when omitted on create.")
    district: str | None = kept("地区 the partner belongs to or serves.")
    representative: str | None = kept("代表者 (personal data).")
    address: AddressInput | None = kept("所在地; null clears it.")
    phone: str | None = kept("電話番号.")
    email: str | None = kept("メールアドレス.")
    website: str | None = kept("Web site URL.")
    field_codes: list[str] | None = kept(
        "Fields it is active in (codes, see collaborationFields); the list replaces "
        "the old one, NOT_FOUND for an unknown code."
    )
    contacts: list[ContactInput] | None = kept(
        "People to reach (at most 100); the list replaces the old one."
    )


@planned_input  # 1,000 of them per partnersUpsert call: built from a plan
@strawberry.input(
    name="PartnerUpsertInput",
    description="A partner keyed by externalId, else corporateNumber: created when new, updated when changed.",
)
class PartnerUpsertInput(PartnerInput):
    """PartnerInput's fields, described there; externalId or corporateNumber is required."""
