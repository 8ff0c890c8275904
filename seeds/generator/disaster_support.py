"""The contents of ``generated_disaster_support.json``: the counterparties as partners,
the 苫小牧市災害時応援協定 collaboration and its agreements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kyodo.seeds.generator.agreements import DISASTER_COLLABORATION, disaster_agreements
from kyodo.seeds.generator.associations import DISTRICT_NAMES
from kyodo.seeds.generator.counterparties import (
    BOUND_ON_AS_OF,
    COUNTERPARTIES,
    NTT_EAST,
    SECTORS,
    Counterparty,
)
from kyodo.seeds.generator.people import demo_corporate_number, demo_person


def counterparty_district(party: Counterparty) -> str | None:
    if party.sector == "municipality" or party.number == NTT_EAST:
        return None  # outside the city, or serving all of it
    return DISTRICT_NAMES[(party.number * 3) % len(DISTRICT_NAMES)]


def _counterparty_partner(party: Counterparty, serial: Iterator[int]) -> dict[str, Any]:
    partner: dict[str, Any] = {
        "external_id": party.external_id,
        "kind": party.partner_kind,
        "name": party.name,
        "name_kana": party.name_kana,
    }
    if party.is_fictional and party.partner_kind == "COMPANY":
        partner["corporate_number"] = demo_corporate_number(next(serial))
    partner["status"] = party.status
    district = counterparty_district(party)
    if district:
        partner["district"] = district
    if party.sector != "municipality":
        partner["prefecture"] = "北海道"
        partner["city"] = "苫小牧市"
    partner["phone"] = f"000-0300-{party.number:04d}"
    partner["email"] = f"ds-{party.number:03d}@example.jp"
    fields = ["safety"]
    if party.sector in {"professional", "media", "animal"}:
        fields.append("disaster-volunteer")
    partner["fields"] = fields
    partner["contacts"] = [
        {
            "name": demo_person(party.number + 7),
            "role": "総務担当",
            "phone": f"000-0310-{party.number:04d}",
            "email": f"ds-{party.number:03d}-soumu@example.jp",
        }
    ]
    return partner


def disaster_collaboration() -> dict[str, Any]:
    return {
        "external_id": DISASTER_COLLABORATION,
        "title": "苫小牧市災害時応援協定",
        "summary": (
            "大規模な災害時に市だけでは対応しきれない業務について、市内の企業や団体等から"
            "生活物資等の供給や復旧活動の応援を受ける協定を締結し、広範囲かつ迅速な対応に"
            "努めています（協定先：東日本電信電話株式会社 外100団体、令和4年3月10日現在）。"
        ),
        "status": "ACTIVE",
        "department": "kikikanri",
        "fiscal_year": 2021,
        "starts_on": "2021-04-01",
        "ends_on": "2022-03-31",
        "purpose": "災害時に必要な物資・輸送・医療・復旧の応援を、平時から協定で確保する。",
        "plan": "協定先の連絡先を毎年確認し、協定内容を見直す。新たな協定先を開拓する。",
        "budget_total_yen": 0,
        "responsibility": (
            "災害対応の最終的な責任は市（危機管理室）が負う。協定先は協定の範囲で協力する。"
        ),
        "review_due_on": "2022-03-31",
        "is_public": True,
        "forms": ["AGREEMENT"],
        "fields": ["safety", "disaster-volunteer"],
        "participations": [
            {"partner": party.external_id, "role": SECTORS[party.sector].details}
            for party in BOUND_ON_AS_OF
        ],
    }


def disaster_support() -> dict[str, list[dict[str, Any]]]:
    serial = iter(range(1, 1000))
    return {
        "partners": [_counterparty_partner(party, serial) for party in COUNTERPARTIES],
        "collaborations": [disaster_collaboration()],
        "agreements": disaster_agreements(),
    }
