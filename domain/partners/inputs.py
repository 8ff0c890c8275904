"""A partner as a caller describes it, and the checks every path that writes partners
runs on it (create, update, bulk upsert, the file importer): rule 14's 法人番号, lengths
from the model columns, contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.base import UNSET, is_set
from kyodo.domain.enums import PartnerKind, PartnerStatus
from kyodo.domain.errors import ErrorCode, at
from kyodo.domain.japanese import is_valid_corporate_number, normalize_corporate_number
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.reference.models import CollaborationField

# The one table of a partner's scalar columns a caller may set: the first name is the
# Japanese label (messages, audit, the importer's messages), the others further headers
# an imported file may name the column by. The importer also accepts the GraphQL name
# (``input_name``), and the JSON export writes it (``domain.exchange.exports``), so a
# column added here (and to ``PartnerData``) is read and written by every path.
SCALARS: dict[str, tuple[str, ...]] = {
    "kind": ("種別",),
    "name": ("名称", "名前", "団体名"),
    "name_kana": ("フリガナ", "ふりがな", "よみがな", "読み仮名", "カナ"),
    "corporate_number": ("法人番号",),
    "external_id": ("外部ID",),
    "status": ("状態",),
    "district": ("地区",),
    "representative": ("代表者", "代表者名"),
    "postal_code": ("郵便番号", "〒"),
    "prefecture": ("都道府県",),
    "city": ("市区町村",),
    "street": ("住所", "所在地", "番地", "address"),
    "phone": ("電話番号", "電話", "TEL"),
    "email": ("メールアドレス", "メール", "Eメール", "mail"),
    "website": ("ウェブサイト", "ホームページ", "URL"),
}
# Their Japanese labels, for messages (番地: the street part of an address).
SCALAR_FIELDS: dict[str, str] = {name: names[0] for name, names in SCALARS.items()} | {
    "street": "番地"
}


def input_name(name: str) -> str:
    """The GraphQL (and JSON) spelling of a column: name_kana → nameKana."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


ADDRESS_FIELDS = ("postal_code", "prefecture", "city", "street")


@dataclass
class ContactData:
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    available_around_the_clock: bool = False
    is_emergency_contact: bool = False


@dataclass
class PartnerData:
    """A partner as a caller describes it. Fields left UNSET are not touched on update."""

    kind: Any = UNSET
    name: Any = UNSET
    name_kana: Any = UNSET
    corporate_number: Any = UNSET
    external_id: Any = UNSET
    status: Any = UNSET
    district: Any = UNSET
    representative: Any = UNSET
    postal_code: Any = UNSET
    prefecture: Any = UNSET
    city: Any = UNSET
    street: Any = UNSET
    phone: Any = UNSET
    email: Any = UNSET
    website: Any = UNSET
    field_codes: Any = UNSET
    contacts: Any = UNSET

    def scalars(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SCALAR_FIELDS if is_set(getattr(self, name))}


def field_of(name: str) -> str:
    """The field a problem with the column ``name`` names: the address columns are the
    parts of the partner's address (``"address.postal_code"``)."""
    return at("address", name) if name in ADDRESS_FIELDS else name


Check = Callable[[v.Problems, Any], Any]
"""One column's check: ``(problems, value sent) → value cleaned``, problems added."""


def _kind(problems: v.Problems, value: Any) -> Any:
    if value is None:
        problems.add(ErrorCode.REQUIRED, "種別を選んでください。", "kind")
        return None
    # A member already (both callers' usual case) is what PartnerKind(member) returns.
    return value if type(value) is PartnerKind else PartnerKind(value)


def _status(_problems: v.Problems, value: Any) -> Any:
    if value is None:
        return PartnerStatus.ACTIVE
    return value if type(value) is PartnerStatus else PartnerStatus(value)


def _corporate_number(problems: v.Problems, value: Any) -> Any:
    value = v.clean_text(value)
    if value is not None:
        value = normalize_corporate_number(value)
        if not is_valid_corporate_number(value):
            problems.add(
                ErrorCode.INVALID_CORPORATE_NUMBER,
                f"法人番号「{value}」が正しくありません（13桁の数字で、先頭はチェック用の数字です）。",
                field_of("corporate_number"),
            )
    return value


def _column_check(name: str, label: str) -> Check:
    path = field_of(name)
    if name == "kind":
        return _kind
    if name == "status":
        return _status
    if name == "corporate_number":
        return _corporate_number
    # Closures rather than functools.partial: a partial merges its keywords into a new
    # dict on every call, and a bulk load makes some 60,000 of these calls.
    if name == "postal_code":
        return lambda problems, value: v.postal_code(problems, value, field=path)
    limit = v.max_length(getattr(Partner, name))
    if name == "name":
        return lambda problems, value: v.required_text(
            problems, value, label=label, field=path, max_length=limit
        )
    if name == "email":
        return lambda problems, value: v.email(problems, value, field=path, max_length=limit)
    if name == "phone":
        return lambda problems, value: v.phone(problems, value, field=path, max_length=limit)
    if name == "name_kana":
        # Stored folded (NFKC), so checked folded: one ㌀ is four characters (アパート).
        return lambda problems, value: v.optional_text(
            problems, v.nfkc(value), label=label, field=path, max_length=limit
        )
    return lambda problems, value: v.optional_text(
        problems, value, label=label, field=path, max_length=limit
    )


@cache
def column_checks() -> tuple[tuple[str, Check], ...]:
    """The check of each scalar column, in ``SCALAR_FIELDS`` order: made once (limits read
    from the model columns, paths built), as a bulk load runs them on 10,000 rows."""
    return tuple((name, _column_check(name, label)) for name, label in SCALAR_FIELDS.items())


def validate(data: PartnerData, *, creating: bool) -> tuple[PartnerData, v.Problems]:
    """Clean and check one partner input; returns the cleaned data and every problem found.

    法人番号 are folded to 13 ASCII digits (full-width digits and hyphens allowed on
    input) and must carry a valid check digit (INVALID_CORPORATE_NUMBER).
    """
    problems = v.Problems()
    sent = vars(data)
    cleaned = dict(sent)
    for name, check in column_checks():
        value = sent[name]
        if value is not UNSET:
            cleaned[name] = check(problems, value)
    if creating:
        for name in ("kind", "name"):
            if sent[name] is UNSET:
                problems.add(
                    ErrorCode.REQUIRED,
                    f"{SCALAR_FIELDS[name]}を入力してください。",
                    field_of(name),
                )
    codes = data.field_codes
    if is_set(codes) and codes is not None:
        v.bounded_list(problems, codes, label="分野", field="field_codes")
        cleaned["field_codes"] = list(dict.fromkeys(c.strip() for c in codes))
    contacts = data.contacts
    if (
        is_set(contacts)
        and contacts is not None
        and v.bounded_list(problems, contacts, label="連絡先", field="contacts")
    ):
        cleaned["contacts"] = [
            _validate_contact(problems, c, _own_contact_paths(i)) for i, c in enumerate(contacts)
        ]
    return PartnerData(**cleaned), problems


@cache
def _contact_limits() -> tuple[int, int, int, int]:
    return (
        v.max_length(Contact.name),
        v.max_length(Contact.role),
        v.max_length(Contact.phone),
        v.max_length(Contact.email),
    )


@lru_cache(maxsize=1024)
def _contact_paths(prefix: str) -> tuple[str, str, str, str]:
    return tuple(at(prefix, name) for name in ("name", "role", "phone", "email"))  # type: ignore[return-value]


@lru_cache(maxsize=v.MAX_LIST)
def _own_contact_paths(index: int) -> tuple[str, str, str, str]:
    return _contact_paths(at("contacts", index))


def validate_contact(problems: v.Problems, contact: ContactData, *, prefix: str) -> ContactData:
    return _validate_contact(problems, contact, _contact_paths(prefix))


def _validate_contact(
    problems: v.Problems, contact: ContactData, paths: tuple[str, str, str, str]
) -> ContactData:
    name_max, role_max, phone_max, email_max = _contact_limits()
    name_at, role_at, phone_at, email_at = paths
    role, phone, email = contact.role, contact.phone, contact.email
    # A field left empty (None) is None after its check too: not called for it (a
    # bulk load checks 20,000 contacts, most without an e-mail address).
    return ContactData(
        name=v.required_text(
            problems, contact.name, label="連絡先の氏名", field=name_at, max_length=name_max
        )
        or "",
        role=None
        if role is None
        else v.optional_text(problems, role, label="役職", field=role_at, max_length=role_max),
        phone=None
        if phone is None
        else v.phone(problems, phone, field=phone_at, max_length=phone_max),
        email=None
        if email is None
        else v.email(problems, email, field=email_at, max_length=email_max),
        available_around_the_clock=bool(contact.available_around_the_clock),
        is_emergency_contact=bool(contact.is_emergency_contact),
    )


def check_codes_known(
    problems: v.Problems,
    codes: Sequence[str],
    code_ids: dict[str, int],
    path: str,
    row: int | None = None,
) -> None:
    unknown = [c for c in codes if c not in code_ids]
    if unknown:
        problems.add(
            ErrorCode.NOT_FOUND,
            f"分野コード「{'、'.join(unknown)}」は登録されていません。",
            path,
            row,
        )


async def codes_to_ids(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    if not codes:
        return {}
    stmt = sa.select(col(CollaborationField.code), col(CollaborationField.id)).where(
        col(CollaborationField.code).in_(codes)
    )
    return dict((await session.execute(stmt)).all())  # type: ignore[arg-type]
