"""災害時応援協定: the agreements with the counterparties — one per counterparty, joint
ones, second ones, and those not in force on 2022-03-10 — with the special cases the
demo shows (auto-renewal, fixed terms, stale contacts, a revision (改正)).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kyodo.seeds.generator.counterparties import (
    AS_OF,
    BOUND_ON_AS_OF,
    COUNTERPARTIES,
    NTT_EAST,
    SECTORS,
)
from kyodo.seeds.generator.people import _Phones, demo_person

# Several counterparties bound by one agreement.
MULTI_PARTY: tuple[tuple[tuple[int, ...], str, date], ...] = (
    ((1, 2, 3), "supermarket", date(2012, 7, 1)),
    ((50, 51, 52), "medical", date(2008, 4, 1)),
    ((56, 57, 58), "construction", date(2006, 10, 1)),
    ((84, 85, 86), "municipality", date(2013, 11, 15)),
    ((93, 94), "funeral", date(2017, 2, 1)),
    ((79, 80), "media", date(2010, 8, 1)),
)

# Second agreements of counterparties that already have one: (party, title, categories,
# details, concluded_on).
SECOND_AGREEMENTS: tuple[tuple[int, str, tuple[str, ...], str, date], ...] = (
    (
        NTT_EAST,
        "災害時における特設公衆電話の設置・利用に関する協定",
        ("OTHER",),
        "避難所への特設公衆電話の事前設置と災害時の無料開放",
        date(2016, 3, 25),
    ),
    (
        1,
        "災害時における駐車場の一時避難場所としての使用に関する協定",
        ("EVACUATION_SHELTER",),
        "店舗駐車場を一時避難場所として開放",
        date(2019, 10, 1),
    ),
    (
        5,
        "災害時における駐車場の一時避難場所としての使用に関する協定",
        ("EVACUATION_SHELTER",),
        "店舗駐車場を一時避難場所として開放",
        date(2020, 7, 15),
    ),
    (
        31,
        "災害時における仮設トイレの設置に関する協定",
        ("SUPPLIES", "LIFELINE_RESTORATION"),
        "避難所への仮設トイレの設置・汲み取り",
        date(2018, 11, 1),
    ),
    (
        36,
        "災害時における物資の保管及び荷役に関する協定",
        ("TRANSPORT", "OTHER"),
        "救援物資の一時保管・仕分け・荷役",
        date(2014, 6, 1),
    ),
    (
        71,
        "災害時における帰宅困難者の一時滞在に関する協定",
        ("EVACUATION_SHELTER",),
        "帰宅困難者・観光客の一時滞在場所の提供",
        date(2021, 12, 1),
    ),
)

# Contacts never confirmed, or confirmed more than 365 days before 2022-03-10.
STALE_CONTACTS: dict[int, date | None] = {
    38: None,
    82: None,
    97: None,
    43: date(2019, 5, 15),
    20: date(2020, 6, 1),
    65: date(2021, 1, 20),
    72: date(2021, 3, 9),  # 366 days before 2022-03-10: stale
}
# Exactly 365 days before 2022-03-10: still fresh.
BOUNDARY_FRESH_CONTACTS: dict[int, date] = {76: date(2021, 3, 10)}

# Auto-renewing agreements whose first term ended before 2022-03-10 (so renewal applies):
# party → (effective_from, first effective_until).
AUTO_RENEWING: dict[int, tuple[date, date]] = {
    11: (date(2016, 6, 1), date(2017, 5, 31)),
    27: (date(2019, 3, 1), date(2020, 2, 29)),  # term ends on a leap day
    46: (date(2018, 9, 1), date(2019, 8, 31)),
    59: (date(2011, 4, 1), date(2012, 3, 31)),
    100: (date(2021, 2, 1), date(2022, 1, 31)),
    34: (date(2020, 3, 1), date(2021, 2, 28)),
}
# Fixed terms still running on 2022-03-10: party → effective_until.
FIXED_TERM: dict[int, date] = {41: date(2023, 3, 31), 63: date(2024, 3, 31)}

LATEST_CONCLUDED = 83  # concluded on 2022-03-10 itself
TRUCK_ASSOCIATION = 37  # its agreement was revised (改正) in 2019


def spread_date(k: int, *, first_year: int = 2005, years: int = 17) -> date:
    """A deterministic date between first_year and first_year + years - 1."""
    day = date(first_year + (k * 7) % years, 1 + (k * 5) % 12, 1 + (k * 11) % 28)
    return min(day, AS_OF - timedelta(days=30))


def fresh_verification(k: int, concluded_on: date) -> date:
    """Contacts confirmed during the 2021 annual check (April 2021 - February 2022)."""
    return max(date(2021, 4, 1) + timedelta(days=(k * 37) % 330), concluded_on)


def agreement_id(party: int, suffix: str = "") -> str:
    """Agreements are named after their (first) counterparty: demo-agreement-ds-037."""
    return f"demo-agreement-ds-{party:03d}{suffix}"


def joint_agreement_id(number: int) -> str:
    return f"demo-agreement-ds-joint-{number}"


def _emergency_contacts(parties: tuple[int, ...], k: int, phones: _Phones) -> list[dict[str, Any]]:
    contacts: list[dict[str, Any]] = []
    for party in parties:
        contacts.append(
            {
                "partner": COUNTERPARTIES[party].external_id,
                "name": demo_person(k + party),
                "role": "防災担当",
                "phone": phones.next(),
                "email": f"ds-{party:03d}-bousai@example.jp",
                "available_around_the_clock": False,
            }
        )
        if (k + party) % 3 == 0:
            contacts.append(
                {
                    "partner": COUNTERPARTIES[party].external_id,
                    "name": "（デモ）24時間受付窓口",
                    "role": "夜間・休日",
                    "phone": phones.next(),
                    "email": f"ds-{party:03d}-24h@example.jp",
                    "available_around_the_clock": True,
                }
            )
    return contacts


DISASTER_COLLABORATION = "demo-collab-saigai-kyotei"


def _agreement(
    external_id: str,
    parties: tuple[int, ...],
    *,
    title: str,
    categories: tuple[str, ...],
    details: str,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "title": title,
        "category": "DISASTER_SUPPORT",
        "status": "IN_FORCE",
        "department": "kikikanri",
        "collaboration": DISASTER_COLLABORATION,
        "parties": [COUNTERPARTIES[p].external_id for p in parties],
        "support_categories": list(categories),
        "support_details": details,
        **fields,
    }


def _in_force_agreement(
    external_id: str,
    k: int,
    parties: tuple[int, ...],
    *,
    title: str,
    categories: tuple[str, ...],
    details: str,
    concluded_on: date,
    phones: _Phones,
    main: bool = True,
) -> dict[str, Any]:
    """An agreement in force on 2022-03-10; k drives the deterministic spread of dates."""
    lead = parties[0]
    single = main and len(parties) == 1
    terms: dict[str, Any] = {}
    if single and lead in AUTO_RENEWING:
        effective_from, effective_until = AUTO_RENEWING[lead]
        concluded_on = effective_from
        terms = {
            "effective_until": effective_until.isoformat(),
            "auto_renewal": True,
            "renewal_term_months": 12,
            "notice_days": 30 if lead % 2 else 90,
        }
    elif single and lead in FIXED_TERM:
        terms = {"effective_until": FIXED_TERM[lead].isoformat(), "notice_days": 90}
    verified: date | None
    if single and lead in STALE_CONTACTS:
        verified = STALE_CONTACTS[lead]
    elif single and lead in BOUNDARY_FRESH_CONTACTS:
        verified = BOUNDARY_FRESH_CONTACTS[lead]
    else:
        verified = fresh_verification(k, concluded_on)
    return _agreement(
        external_id,
        parties,
        title=title,
        categories=categories,
        details=details,
        concluded_on=concluded_on.isoformat(),
        effective_from=concluded_on.isoformat(),
        **terms,
        contacts_verified_on=verified.isoformat() if verified else None,
        emergency_contacts=_emergency_contacts(parties, k, phones),
    )


def _main_concluded_on(party: int, k: int) -> date:
    concluded_on = spread_date(k)
    if STALE_CONTACTS.get(party) or party in BOUNDARY_FRESH_CONTACTS:
        # Concluded well before the (old) date its contacts were last confirmed.
        concluded_on = min(concluded_on, date(2015, 4, 1) + timedelta(days=k))
    if party in FIXED_TERM:
        concluded_on = min(concluded_on, date(2019, 4, 1))
    if party == LATEST_CONCLUDED:
        concluded_on = AS_OF
    return concluded_on


def disaster_agreements() -> list[dict[str, Any]]:
    phones = _Phones(900)
    agreements: list[dict[str, Any]] = []
    in_multi = {p for parties, _sector, _day in MULTI_PARTY for p in parties}

    # One agreement per counterparty for most of them.
    for k, party in enumerate((p for p in BOUND_ON_AS_OF if p.number not in in_multi), start=1):
        sector = SECTORS[party.sector]
        if party.number == TRUCK_ASSOCIATION:
            # The original (2009) lapsed when its revision (改正) took effect in 2019.
            agreements.append(
                _agreement(
                    agreement_id(party.number),
                    (party.number,),
                    title=sector.title,
                    categories=sector.categories,
                    details=sector.details,
                    status="EXPIRED",
                    concluded_on="2009-09-01",
                    effective_from="2009-09-01",
                    effective_until="2019-03-31",
                    contacts_verified_on="2018-05-01",
                    emergency_contacts=_emergency_contacts((party.number,), k, phones),
                )
            )
            revised = _in_force_agreement(
                agreement_id(party.number, "-kaisei"),
                k,
                (party.number,),
                title=f"{sector.title}（改正）",
                categories=("TRANSPORT", "STAFF_DISPATCH"),
                details="救援物資の輸送、車両・運転手の提供、物資拠点への配車調整要員の派遣",
                concluded_on=date(2019, 3, 20),
                phones=phones,
            )
            revised["effective_from"] = "2019-04-01"
            revised["amends"] = agreement_id(party.number)
            agreements.append(revised)
            continue
        agreements.append(
            _in_force_agreement(
                agreement_id(party.number),
                k,
                (party.number,),
                title=sector.title,
                categories=sector.categories,
                details=sector.details,
                concluded_on=_main_concluded_on(party.number, k),
                phones=phones,
            )
        )

    for number, (parties, sector_name, concluded_on) in enumerate(MULTI_PARTY, start=1):
        sector = SECTORS[sector_name]
        agreements.append(
            _in_force_agreement(
                joint_agreement_id(number),
                100 + number,
                parties,
                title=sector.title,
                categories=sector.categories,
                details=sector.details,
                concluded_on=concluded_on,
                phones=phones,
            )
        )

    for number, (party_number, title, categories, details, concluded_on) in enumerate(
        SECOND_AGREEMENTS, start=1
    ):
        agreements.append(
            _in_force_agreement(
                agreement_id(party_number, "-2"),
                110 + number,
                (party_number,),
                title=title,
                categories=categories,
                details=details,
                concluded_on=concluded_on,
                phones=phones,
                main=False,
            )
        )

    # Agreements not in force on 2022-03-10.
    def lapsed(party_number: int, k: int, **fields: Any) -> dict[str, Any]:
        sector = SECTORS[COUNTERPARTIES[party_number].sector]
        return _agreement(
            agreement_id(party_number),
            (party_number,),
            title=sector.title,
            categories=sector.categories,
            details=sector.details,
            **fields,
            emergency_contacts=_emergency_contacts((party_number,), k, phones),
        )

    agreements += [
        lapsed(
            101,
            121,
            status="TERMINATED",
            concluded_on="2011-05-01",
            effective_from="2011-05-01",
            contacts_verified_on="2019-06-01",
            terminated_on="2020-09-30",
            termination_reason="協定先の市内店舗が閉店し、物資の供給ができなくなったため。",
        ),
        lapsed(
            102,
            122,
            status="TERMINATED",
            concluded_on="2013-01-15",
            effective_from="2013-01-15",
            contacts_verified_on="2020-05-20",
            terminated_on="2021-06-30",
            termination_reason="協定先のホテルが廃業したため。",
        ),
        lapsed(
            103,
            123,
            status="EXPIRED",
            concluded_on="2015-04-01",
            effective_from="2015-04-01",
            effective_until="2020-03-31",
            contacts_verified_on="2019-04-10",
        ),
        lapsed(
            104,
            124,
            status="EXPIRED",
            concluded_on="2016-04-01",
            effective_from="2016-04-01",
            effective_until="2021-03-31",
            contacts_verified_on="2020-04-15",
        ),
        _agreement(
            agreement_id(105),
            (105,),
            title="災害時における無人航空機による情報収集に関する協定（案）",
            categories=("PUBLIC_INFORMATION", "OTHER"),
            details="ドローンによる被災状況の撮影・情報提供",
            status="NEGOTIATING",
        ),
        _agreement(
            agreement_id(74, "-draft"),
            (74,),
            title="災害時における研究施設の使用に関する協定（案）",
            categories=("SUPPLIES", "OTHER"),
            details="研究棟の一部を物資集積拠点として使用",
            status="DRAFT",
        ),
    ]
    return agreements
