"""町内会・自治会: the city's 84 neighbourhood associations in its 10 districts (all
invented names), and the district names the other generated partners use.
"""

from __future__ import annotations

from typing import Any

from kyodo.seeds.generator.people import demo_person

# (district, reading, number of associations). 84 in all: "市内にある80を超える町内会".
DISTRICTS: tuple[tuple[str, str, int], ...] = (
    ("中央", "チュウオウ", 12),
    ("東部", "トウブ", 10),
    ("西部", "セイブ", 10),
    ("北部", "ホクブ", 8),
    ("糸井", "イトイ", 8),
    ("錦岡", "ニシキオカ", 8),
    ("樽前", "タルマエ", 4),
    ("日新", "ニッシン", 8),
    ("沼ノ端", "ヌマノハタ", 10),
    ("勇払", "ユウフツ", 6),
)

# Invented sub-area names; combined with a district they make plainly fictional names.
SUB_AREAS: tuple[tuple[str, str], ...] = (
    ("あおば", "アオバ"),
    ("さくら", "サクラ"),
    ("みどり", "ミドリ"),
    ("ひかり", "ヒカリ"),
    ("はまなす", "ハマナス"),
    ("すずらん", "スズラン"),
    ("しらかば", "シラカバ"),
    ("ひばり", "ヒバリ"),
    ("こまどり", "コマドリ"),
    ("かえで", "カエデ"),
    ("つつじ", "ツツジ"),
    ("なのはな", "ナノハナ"),
)

ASSOCIATION_EXTRA_FIELDS = (
    "elderly",
    "festival",
    "childcare",
    "facilities",
    "disaster-volunteer",
    "environment",
    "sports",
)

# Associations that no longer take part (merged / dormant); never used in collaborations.
DISSOLVED_ASSOCIATION = 84
INACTIVE_ASSOCIATION = 48


def association_id(number: int) -> str:
    return f"demo-partner-na-{number:03d}"


def district_associations() -> dict[str, list[int]]:
    """District → the numbers of its associations, in order."""
    result: dict[str, list[int]] = {}
    number = 0
    for district, _reading, count in DISTRICTS:
        result[district] = [number + i + 1 for i in range(count)]
        number += count
    return result


def neighbourhood_associations() -> list[dict[str, Any]]:
    partners: list[dict[str, Any]] = []
    number = 0
    for district, reading, count in DISTRICTS:
        for i in range(count):
            number += 1
            sub, sub_reading = SUB_AREAS[i % len(SUB_AREAS)]
            suffix, suffix_reading = (
                ("自治会", "ジチカイ") if i % 3 == 2 else ("町内会", "チョウナイカイ")
            )
            status = "ACTIVE"
            if number == DISSOLVED_ASSOCIATION:
                status = "DISSOLVED"
            elif number == INACTIVE_ASSOCIATION:
                status = "INACTIVE"
            partners.append(
                {
                    "external_id": association_id(number),
                    "kind": "NEIGHBORHOOD_ASSOCIATION",
                    "name": f"（デモ）{district}{sub}{suffix}",
                    "name_kana": f"{reading}{sub_reading}{suffix_reading}",
                    "status": status,
                    "district": district,
                    "representative": demo_person(number),
                    "prefecture": "北海道",
                    "city": "苫小牧市",
                    "phone": f"000-0200-{number:04d}",
                    "email": f"na-{number:03d}@example.jp",
                    "fields": [
                        "safety",
                        "cleanup",
                        ASSOCIATION_EXTRA_FIELDS[number % len(ASSOCIATION_EXTRA_FIELDS)],
                    ],
                    "contacts": [
                        {
                            "name": demo_person(number),
                            "role": "会長",
                            "phone": f"000-0210-{number:04d}",
                            "email": f"na-{number:03d}-kaicho@example.jp",
                        }
                    ],
                }
            )
    return partners


DISTRICT_NAMES = tuple(district for district, _reading, _count in DISTRICTS)
