"""One table of a partner's columns (``domain.partners.inputs.SCALARS``) feeds every path.

Adding a partner field touches five files (docs/ARCHITECTURE.md, "Adding a field to
Partner"); these checks fail when one of the places derived from the table, or the
GraphQL types the table does not reach, drift apart from it.
"""

from __future__ import annotations

from kyodo.domain.exchange.exports import PartnerRecord, partner_document
from kyodo.domain.exchange.partners_import import PARTNER_COLUMNS
from kyodo.domain.partners.inputs import (
    ADDRESS_FIELDS,
    SCALAR_FIELDS,
    SCALARS,
    PartnerData,
    input_name,
)
from kyodo.domain.partners.models import Partner
from kyodo.schema import schema
from kyodo.schema.compiled.types import TYPES
from kyodo.schema.partners.types import PartnerType
from kyodo.schema.rows import plain_fields

CHILDREN = {"fieldCodes", "contacts"}


def _input_fields(name: str) -> set[str]:
    graphql_type = schema._schema.type_map[name]
    return set(graphql_type.fields)  # type: ignore[attr-defined]


def test_every_column_of_the_table_is_stored_set_and_labelled() -> None:
    # given the table's columns
    columns = set(SCALARS)
    # then each is a column of the model, an attribute of PartnerData, and has a label
    assert columns <= set(Partner.__table__.columns.keys())
    assert columns <= set(PartnerData.__dataclass_fields__)
    assert set(SCALAR_FIELDS) == columns
    assert all(SCALAR_FIELDS.values())


def test_the_graphql_inputs_have_exactly_the_tables_columns() -> None:
    # given the table's columns in their GraphQL spelling, the address's apart
    plain = {input_name(n) for n in SCALARS if n not in ADDRESS_FIELDS}
    address = {input_name(n) for n in ADDRESS_FIELDS}
    # then PartnerInput and PartnerUpsertInput have those fields, the address and children
    for name in ("PartnerInput", "PartnerUpsertInput"):
        assert _input_fields(name) == plain | {"address"} | CHILDREN, name
    assert _input_fields("AddressInput") == address
    # and error paths spell every column as its input does
    assert {input_name(n) for n in SCALARS} == plain | address


def test_the_import_and_the_json_export_read_and_write_every_column() -> None:
    # given a partner
    partner = Partner(id=1, kind="NPO", name="（テスト）表", status="ACTIVE", version=1)
    # then the import knows every column by its label first and its GraphQL name last
    for name, names in SCALARS.items():
        assert PARTNER_COLUMNS[name][0] == names[0]
        assert PARTNER_COLUMNS[name][-1] == input_name(name)
    # and the JSON export writes every column under its input name
    document = partner_document(PartnerRecord(partner=partner, fields=[]))
    plain = {input_name(n) for n in SCALARS if n not in ADDRESS_FIELDS}
    assert set(document) == plain | {"address", "fieldCodes"}
    assert set(document["address"]) == {input_name(n) for n in ADDRESS_FIELDS}
    assert document["kind"] == "NPO" and document["name"] == "（テスト）表"


def test_the_compiled_path_answers_every_plain_column_of_each_type() -> None:
    # given the compiled specs and the Strawberry types they answer for
    partner_plain = {f.graphql_name for f in plain_fields(PartnerType)}
    # then a plain field of Partner (a column) is compiled without an entry of its own
    assert partner_plain <= set(TYPES["Partner"].fields)
    for spec in TYPES.values():
        assert spec.fields, spec.name
