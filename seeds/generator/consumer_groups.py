"""The consumer and welfare groups that take part in みんなの消費生活展 (all invented
names).
"""

from __future__ import annotations

from typing import Any

from kyodo.seeds.generator.associations import DISTRICT_NAMES
from kyodo.seeds.generator.people import demo_corporate_number, demo_person

CONSUMER_GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "（デモ）苫小牧くらしの勉強会",
        "トマコマイクラシノベンキョウカイ",
        "CITIZEN_GROUP",
        ("education",),
    ),
    (
        "（デモ）消費者被害をなくす会",
        "ショウヒシャヒガイヲナクスカイ",
        "CITIZEN_GROUP",
        ("education", "elderly"),
    ),
    ("（デモ）手づくり石けんの会", "テヅクリセッケンノカイ", "CITIZEN_GROUP", ("environment",)),
    (
        "（デモ）はまなすシニアクラブ連合会",
        "ハマナスシニアクラブレンゴウカイ",
        "OTHER_ORGANIZATION",
        ("elderly",),
    ),
    (
        "（デモ）苫小牧食の安全を考える会",
        "トマコマイショクノアンゼンヲカンガエルカイ",
        "CITIZEN_GROUP",
        ("education",),
    ),
    ("（デモ）みなと子育てネットワーク", "ミナトコソダテネットワーク", "NPO", ("childcare",)),
    (
        "（デモ）障がい者就労支援ひだまり",
        "ショウガイシャシュウロウシエンヒダマリ",
        "NPO",
        ("disability",),
    ),
    (
        "（デモ）苫小牧リサイクル推進の会",
        "トマコマイリサイクルスイシンノカイ",
        "CITIZEN_GROUP",
        ("environment",),
    ),
    ("（デモ）エコライフ苫小牧", "エコライフトマコマイ", "NPO", ("environment", "education")),
    (
        "（デモ）くらしと金融を学ぶ会",
        "クラシトキンユウヲマナブカイ",
        "CITIZEN_GROUP",
        ("education",),
    ),
    (
        "（デモ）樽前ふれあい福祉会",
        "タルマエフレアイフクシカイ",
        "CITIZEN_GROUP",
        ("elderly", "disability"),
    ),
    ("（デモ）苫小牧生活学校", "トマコマイセイカツガッコウ", "CITIZEN_GROUP", ("education",)),
    (
        "（デモ）みんなの食育ひろば",
        "ミンナノショクイクヒロバ",
        "CITIZEN_GROUP",
        ("childcare", "education"),
    ),
    ("（デモ）北の消費者ネット", "キタノショウヒシャネット", "NPO", ("education",)),
    ("（デモ）苫小牧手話の会", "トマコマイシュワノカイ", "CITIZEN_GROUP", ("disability",)),
    (
        "（デモ）地産地消を進める会",
        "チサンチショウヲススメルカイ",
        "CITIZEN_GROUP",
        ("environment",),
    ),
)


def consumer_group_id(number: int) -> str:
    return f"demo-partner-consumer-{number:02d}"


def consumer_groups() -> list[dict[str, Any]]:
    partners = []
    for number, (name, kana, kind, fields) in enumerate(CONSUMER_GROUPS, start=1):
        partner: dict[str, Any] = {
            "external_id": consumer_group_id(number),
            "kind": kind,
            "name": name,
            "name_kana": kana,
        }
        if kind == "NPO":
            partner["corporate_number"] = demo_corporate_number(500 + number)
        partner.update(
            {
                "district": DISTRICT_NAMES[number % len(DISTRICT_NAMES)],
                "prefecture": "北海道",
                "city": "苫小牧市",
                "phone": f"000-0400-{number:04d}",
                "email": f"consumer-{number:02d}@example.jp",
                "fields": list(fields),
                "contacts": [
                    {
                        "name": demo_person(number + 3),
                        "role": "代表",
                        "phone": f"000-0410-{number:04d}",
                        "email": f"consumer-{number:02d}-daihyo@example.jp",
                    }
                ],
            }
        )
        partners.append(partner)
    return partners
