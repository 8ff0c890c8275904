"""A generated database of 10,000 partners for the expensive-query benchmark.

Deterministic (seeded), built with the domain's own tables and derived-field helpers on
top of the demo data (departments, fields). Besides ordinary agreements of 1–3 parties,
it holds agreements of 100 parties (the most an agreement may have) whose parties are
drawn from one pool of organisations, so that each of those is party to many such
agreements: the shape that lets ``parties { agreements { parties } }`` fan out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.commands import MAX_PARTIES, search_text_of
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.collaborations.service import refresh_search_text
from kyodo.domain.enums import (
    AgreementCategory,
    AgreementStatus,
    CollaborationStatus,
    PartnerKind,
    PartnerStatus,
    SupportCategory,
)
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.reference.models import CollaborationField, Department


@dataclass(frozen=True)
class Size:
    partners: int = 10_000
    small_agreements: int = 5_000
    big_agreements: int = 200
    """Agreements of ``MAX_PARTIES`` parties, drawn from a pool of ``hub_partners``."""
    hub_partners: int = 1_000
    collaborations: int = 2_000
    participants_per_collaboration: int = 5


KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
KINDS = [
    (PartnerKind.CITIZEN_GROUP, "の会", 30),
    (PartnerKind.NPO, "ネット", 15),
    (PartnerKind.COMPANY, "株式会社", 25),
    (PartnerKind.NEIGHBORHOOD_ASSOCIATION, "町内会", 15),
    (PartnerKind.OTHER_ORGANIZATION, "協会", 5),
    (PartnerKind.INDIVIDUAL, "", 10),
]
DISTRICTS = ["中央", "東部", "西部", "北部", "南部", "沼ノ端", "錦岡", "勇払"]
CHUNK = 1000


async def _insert(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(sa.insert(table), rows[start : start + CHUNK])


async def _insert_returning_ids(session: AsyncSession, objects: list[Any]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(objects), CHUNK):
        chunk = objects[start : start + CHUNK]
        session.add_all(chunk)
        await session.flush()
        ids.extend(o.id for o in chunk)
        session.expunge_all()
    return ids


def _terms(rnd: random.Random, concluded: date) -> dict[str, Any]:
    """An agreement's term as cities write them: most by fiscal year, renewed a year at
    a time with a notice period; some open-ended; some for a fixed term; contacts
    confirmed at some point of the last few years, or never."""
    verified = None if rnd.random() < 0.2 else date(rnd.randint(2023, 2026), rnd.randint(1, 11), 15)
    shape = rnd.random()
    if shape < 0.6:
        return {
            "effective_until": date(concluded.year + 1, 3, 31),
            "auto_renewal": True,
            "renewal_term_months": 12,
            "notice_days": rnd.choice([30, 60, 90]),
            "contacts_verified_on": verified,
        }
    if shape < 0.85:
        return {"contacts_verified_on": verified}
    return {
        "effective_until": date(max(concluded.year + 1, rnd.randint(2020, 2030)), 3, 31),
        "notice_days": rnd.choice([None, 30]),
        "contacts_verified_on": verified,
    }


async def load_big_data(session: AsyncSession, size: Size = Size()) -> dict[str, int]:
    """Add the generated rows (the demo data must be loaded first); returns counts."""
    rnd = random.Random(42)
    department_ids = list((await session.execute(sa.select(Department.id))).scalars())
    field_ids = list((await session.execute(sa.select(CollaborationField.id))).scalars())

    partners: list[Partner] = []
    kinds: list[PartnerKind] = []
    for i in range(size.partners):
        kind, suffix, _ = rnd.choices(KINDS, [k[2] for k in KINDS])[0]
        word = "".join(rnd.choice(KANA) for _ in range(rnd.randint(3, 6)))
        partner = Partner(
            kind=kind,
            name=f"（ベンチ）{word}{suffix}{i}",
            name_kana=f"べんち{word}{i}",
            external_id=f"bigbench-{i:05d}",
            district=rnd.choice(DISTRICTS),
            phone="000-0000-0001",
        )
        refresh_derived_fields(partner)
        partners.append(partner)
        kinds.append(kind)
    partner_ids = await _insert_returning_ids(session, partners)
    organisations = [
        pid for pid, kind in zip(partner_ids, kinds, strict=True) if kind != PartnerKind.INDIVIDUAL
    ]

    await _insert(
        session,
        PartnerField,
        [
            {"partner_id": pid, "field_id": fid}
            for pid in partner_ids
            for fid in rnd.sample(field_ids, 2)
        ],
    )
    await _insert(
        session,
        Contact,
        [
            {
                "partner_id": pid,
                "position": 0,
                "name": f"ベンチ 連絡{n}",
                "phone": "000-0000-0001",
                "email": f"bench{n}@example.jp",
                "is_emergency_contact": n % 2 == 0,
            }
            for n, pid in enumerate(partner_ids)
        ],
    )

    hubs = organisations[: size.hub_partners]
    # Terms and checks from their own generator, so the rest of the data (what the
    # hostile shapes read) stays as it was.
    terms_rnd = random.Random(7)
    agreements: list[Agreement] = []
    parties: list[list[int]] = []
    for j in range(size.small_agreements + size.big_agreements):
        big = j >= size.small_agreements
        chosen = (
            rnd.sample(hubs, MAX_PARTIES)
            if big
            else rnd.sample(organisations, rnd.choices([1, 2, 3], [70, 20, 10])[0])
        )
        title = f"ベンチ協定{j}（{'広域' if big else '災害時'}）"
        concluded = date(rnd.randint(2008, 2024), rnd.randint(1, 12), rnd.randint(1, 28))
        agreements.append(
            Agreement(
                title=title,
                search_text=search_text_of(title, None),
                category=AgreementCategory.DISASTER_SUPPORT,
                status=AgreementStatus.IN_FORCE,
                department_id=rnd.choice(department_ids),
                concluded_on=concluded,
                effective_from=concluded,
                external_id=f"bigbench-ag-{j:05d}",
                **_terms(terms_rnd, concluded),
            )
        )
        parties.append(chosen)
    agreement_ids = await _insert_returning_ids(session, agreements)
    await _insert(
        session,
        AgreementParty,
        [
            {"agreement_id": aid, "partner_id": pid, "position": k}
            for aid, chosen in zip(agreement_ids, parties, strict=True)
            for k, pid in enumerate(chosen)
        ],
    )
    categories = list(SupportCategory)
    await _insert(
        session,
        AgreementSupportCategory,
        [
            {"agreement_id": aid, "category": category}
            for aid in agreement_ids
            for category in rnd.sample(categories, rnd.randint(1, 3))
        ],
    )

    # A few counterparties that can no longer be counted on (rule 9): their agreements
    # need reviewing (disasterSupportNeedingReview, agreementsDue).
    gone = terms_rnd.sample(organisations, len(organisations) // 100)
    for status, ids in ((PartnerStatus.DISSOLVED, gone[::2]), (PartnerStatus.INACTIVE, gone[1::2])):
        await session.execute(
            sa.update(Partner).where(Partner.id.in_(ids)).values(status=status)  # type: ignore[union-attr]
        )

    collaborations: list[Collaboration] = []
    for g in range(size.collaborations):
        collaboration = Collaboration(
            title=f"ベンチ協働事業{g}",
            summary="ベンチ用の協働事業",
            status=CollaborationStatus.ACTIVE,
            department_id=rnd.choice(department_ids),
            fiscal_year=2015 + g % 10,
            is_public=g % 10 < 7,
            external_id=f"bigbench-co-{g:05d}",
        )
        refresh_search_text(collaboration)
        collaborations.append(collaboration)
    collaboration_ids = await _insert_returning_ids(session, collaborations)
    await _insert(
        session,
        Participation,
        [
            {"collaboration_id": cid, "partner_id": pid, "role": "参加", "is_lead": False}
            for cid in collaboration_ids
            for pid in rnd.sample(hubs, size.participants_per_collaboration)
        ],
    )
    return {
        "partners": len(partner_ids),
        "agreements": len(agreement_ids),
        "agreement_parties": sum(len(p) for p in parties),
        "collaborations": len(collaboration_ids),
    }
