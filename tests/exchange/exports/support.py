"""Helpers of the export tests: the expected headers, reading CSV, adding partners."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields

ON = date(2022, 3, 10)
BOM = b"\xef\xbb\xbf"
PARTNER_HEADERS = [
    "外部ID",
    "名称",
    "フリガナ",
    "種別",
    "法人番号",
    "地区",
    "代表者",
    "郵便番号",
    "住所",
    "電話番号",
    "メールアドレス",
    "分野",
]
HOKKAIDO_HEADERS = [
    "市町村名",
    "No",
    "協定の名称",
    "協定相手方",
    "職員派遣",
    "物資供給",
    "物資運搬・輸送",
    "医療救護",
    "災害広報",
    "避難収容",
    "ライフライン復旧",
    "その他",
    "締結日",
    "外部ID",
]
KIND_LABELS = {
    "INDIVIDUAL": "個人",
    "CITIZEN_GROUP": "市民活動団体",
    "NEIGHBORHOOD_ASSOCIATION": "町内会・自治会",
    "NPO": "NPO法人",
    "COMPANY": "企業",
    "OTHER_ORGANIZATION": "その他の団体",
}


def read_csv(body: bytes) -> list[list[str]]:
    """What Excel (or any program) reads: the BOM stripped, CRLF records."""
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def as_dicts(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def add_partner(session: AsyncSession, **values: Any) -> Partner:
    partner = Partner(**values)
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    return partner


async def agreement_by_external_id(session: AsyncSession, external_id: str) -> Agreement:
    stmt = sa.select(Agreement).where(col(Agreement.external_id) == external_id)
    return (await session.execute(stmt)).scalar_one()
