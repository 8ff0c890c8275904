"""The rows of a partners file read as ``PartnerData``: the headers it accepts (from
``SCALARS``, their one table), 種別 and 状態 as people write them, numbers as typed in
Japanese, 分野 by name or code, 連絡先 as JSON."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kyodo.domain.base import UNSET
from kyodo.domain.enums import PartnerKind, PartnerStatus
from kyodo.domain.errors import ErrorCode, Problem
from kyodo.domain.exchange.columns import (
    ColumnMap,
    Columns,
    fold_header,
    looks_like_exponent,
    normalize_number,
    split_list,
)
from kyodo.domain.partners.inputs import (
    ADDRESS_FIELDS,
    SCALAR_FIELDS,
    SCALARS,
    ContactData,
    PartnerData,
    field_of,
    input_name,
)

# field → the headers that name it; the first is the Japanese header shown in messages,
# the last the GraphQL name. The scalar columns come from ``SCALARS``, their one table.
PARTNER_COLUMNS: dict[str, tuple[str, ...]] = {
    **{name: (*names, input_name(name)) for name, names in SCALARS.items()},
    "field_codes": ("分野", "活動分野", "協働の分野", "fieldCodes", "fields"),
    "contacts": ("連絡先", "contacts"),
}
PARTNER_MAP = ColumnMap(PARTNER_COLUMNS)

KIND_LABELS: dict[PartnerKind, tuple[str, ...]] = {
    PartnerKind.INDIVIDUAL: ("個人", "個人ボランティア"),
    PartnerKind.CITIZEN_GROUP: ("市民活動団体", "市民団体", "ボランティア団体"),
    PartnerKind.NEIGHBORHOOD_ASSOCIATION: ("町内会・自治会", "町内会", "自治会"),
    PartnerKind.NPO: ("NPO法人", "NPO", "特定非営利活動法人"),
    PartnerKind.COMPANY: ("企業", "会社"),
    PartnerKind.OTHER_ORGANIZATION: ("その他の団体", "その他"),
}
_KINDS = {
    fold_header(name): kind
    for kind, labels in KIND_LABELS.items()
    for name in (kind.value, *labels)
}
STATUS_LABELS: dict[PartnerStatus, tuple[str, ...]] = {
    PartnerStatus.ACTIVE: ("活動中", "有効"),
    PartnerStatus.INACTIVE: ("休止中", "休止"),
    PartnerStatus.DISSOLVED: ("解散",),
}
_STATUSES = {
    fold_header(name): status
    for status, labels in STATUS_LABELS.items()
    for name in (status.value, *labels)
}
_CONTACT_KEYS = {
    fold_header(alias): name
    for name, aliases in {
        "name": ("氏名", "name"),
        "role": ("役職", "role"),
        "phone": ("電話番号", "phone"),
        "email": ("メールアドレス", "email"),
        "available_around_the_clock": ("24時間対応", "availableAroundTheClock"),
        "is_emergency_contact": ("緊急連絡先", "isEmergencyContact"),
    }.items()
    for alias in aliases
}
_NUMBER_FIELDS = ("corporate_number", "phone", "postal_code")
_PLAIN_NUMBER = re.compile(r"[0-9\-]*")
"""A number :func:`normalize_number` returns unchanged: ASCII digits and hyphens (NFKC
keeps them, the hyphen is none of its dashes, there is no space and no ".0")."""


def _number(value: Any) -> Any:
    """:func:`normalize_number`, without its work on a number already plain (a re-sync
    file holds 30,000 of them)."""
    if type(value) is str and _PLAIN_NUMBER.fullmatch(value):
        return value
    return normalize_number(value)


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """:func:`fold_header` of a key, 種別, 状態 or 分野 as a file writes it: a file
    repeats the same few thousand times, so each is folded once."""
    return fold_header(text)


LABELS = {**SCALAR_FIELDS, "field_codes": "分野", "contacts": "連絡先"}


def _kind_help() -> str:
    return "、".join(labels[0] for labels in KIND_LABELS.values())


class RowReader:
    """Turns one file's rows into ``PartnerData``, collecting problems in the domain's
    words (row ``i``, field ``"corporate_number"``)."""

    def __init__(self, columns: Columns, fields: dict[str, str]):
        self.columns = columns
        self.fields = fields  # folded code or name → code
        self.problems: list[Problem] = []

    def add(self, index: int, name: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        self.problems.append(Problem(code, message, field_of(name), index))

    def row(self, index: int, values: dict[str, Any]) -> PartnerData:
        data = PartnerData()
        for header, raw in values.items():
            name = self.columns.field_of.get(header)
            if name is None:  # an empty column without a header
                continue
            if name == "street" and isinstance(raw, dict):
                self._address(index, data, raw)
            elif name == "contacts":
                data.contacts = self._contacts(index, raw)
            elif name == "field_codes":
                data.field_codes = self._field_codes(index, raw)
            else:
                setattr(data, name, self._scalar(index, name, raw))
        return data

    def _scalar(self, index: int, name: str, raw: Any) -> Any:
        if isinstance(raw, list | dict):
            self.add(index, name, f"{LABELS[name]}は文字か数字で入力してください。")
            return UNSET
        if name in _NUMBER_FIELDS:
            value = _number(raw)
            if name == "postal_code" and isinstance(value, str):
                value = value.removeprefix("〒")
            if name == "corporate_number" and isinstance(value, str) and looks_like_exponent(value):
                self.add(
                    index,
                    name,
                    f"法人番号「{value}」が指数の形になっていて、数字が失われています。"
                    "Excel でこの列を「文字列」にしてから保存し直してください。",
                    ErrorCode.INVALID_CORPORATE_NUMBER,
                )
                return UNSET
            return value
        if raw is None or isinstance(raw, bool):
            return None if raw is None else str(raw)
        text = str(raw).strip()
        if name == "kind":
            if not text:
                return None
            kind = _KINDS.get(_folded(text))
            if kind is None:
                self.add(index, name, f"種別「{text}」は使えません（使える種別: {_kind_help()}）。")
                return UNSET
            return kind
        if name == "status":
            if not text:
                return None
            status = _STATUSES.get(_folded(text))
            if status is None:
                self.add(
                    index, name, f"状態「{text}」は使えません（活動中、休止中、解散のどれか）。"
                )
                return UNSET
            return status
        return raw if isinstance(raw, str) else text

    def _address(self, index: int, data: PartnerData, raw: dict[str, Any]) -> None:
        """A JSON ``address`` object, as in PartnerUpsertInput: it replaces the whole
        address (postal code, prefecture, city, street)."""
        for name in ADDRESS_FIELDS:
            setattr(data, name, None)
        for key, value in raw.items():
            part = PARTNER_MAP.field_for(key)
            if part is None or part not in ADDRESS_FIELDS:
                self.add(index, "street", f"住所の項目「{key}」は読み込めません。")
                continue
            setattr(data, part, self._scalar(index, part, value))

    def _field_codes(self, index: int, raw: Any) -> Any:
        if isinstance(raw, dict):
            self.add(index, "field_codes", "分野は「、」で区切るか、配列で入力してください。")
            return UNSET
        codes, unknown = [], []
        for item in split_list(raw):
            code = self.fields.get(_folded(item))
            if code is None:
                unknown.append(item)
            else:
                codes.append(code)
        if unknown:
            self.add(
                index,
                "field_codes",
                f"分野「{'、'.join(unknown)}」は登録されていません（分野の名前かコードを、"
                "「、」で区切って入力してください）。",
                ErrorCode.NOT_FOUND,
            )
            return UNSET
        return codes

    def _contacts(self, index: int, raw: Any) -> Any:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            self.add(index, "contacts", "連絡先は JSON のオブジェクトの配列で入力してください。")
            return UNSET
        contacts = []
        for contact in raw:
            values: dict[str, Any] = {}
            for key, value in contact.items():
                name = _CONTACT_KEYS.get(_folded(key))
                if name is None:
                    self.add(index, "contacts", f"連絡先の項目「{key}」は読み込めません。")
                    continue
                if name == "phone":
                    value = _number(value)
                values[name] = value
            contacts.append(ContactData(**{"name": None, **values}))
        return contacts
