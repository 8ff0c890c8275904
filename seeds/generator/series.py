"""Recurring series: collaborations that come back every fiscal year — まちかどミーティング
and みんなの消費生活展 (平成30年度〜令和4年度), each year's participants, status and
evaluation.
"""

from __future__ import annotations

from typing import Any

from kyodo.domain.japanese import fiscal_year_label
from kyodo.seeds.generator.associations import (
    DISSOLVED_ASSOCIATION,
    INACTIVE_ASSOCIATION,
    association_id,
    district_associations,
)
from kyodo.seeds.generator.consumer_groups import consumer_group_id

FEDERATION = "demo-partner-rengokai"
CONSUMER_ASSOCIATION = "demo-partner-shohisha-kyokai"


# まちかどミーティング: the federation and two associations take part every year; four
# more rotate through the districts.
MACHIKADO_YEARS = (2018, 2019, 2020, 2021, 2022)
MACHIKADO_FIXED = (1, 13)  # （デモ）中央あおば町内会, （デモ）東部あおば町内会


def machikado_rotating(fiscal_year: int) -> list[int]:
    by_district = list(district_associations().values())
    y = MACHIKADO_YEARS.index(fiscal_year)
    chosen = []
    for k in range(4):
        members = by_district[(y * 2 + k) % len(by_district)]
        chosen.append(members[1 + (y % (len(members) - 1))])
    return [n for n in chosen if n not in {DISSOLVED_ASSOCIATION, INACTIVE_ASSOCIATION}]


MACHIKADO_EVALUATIONS: dict[int, tuple[str, str, str, int]] = {
    2018: (
        "市内5会場で開催し、参加者は延べ186名。道路・除雪・防犯灯など要望42件を関係課に共有し、"
        "うち15件に年度内に対応した。",
        "（デモ）日頃聞けない市の考えを直接聞けてよかった。回答が遅れた要望もあったので、"
        "進み具合を途中で知らせてほしい。",
        "要望への対応状況を中間報告する仕組みが必要。",
        4,
    ),
    2019: (
        "市内6会場で開催し、参加者は延べ214名。要望51件のうち22件に対応。"
        "職員による防災情報のプレゼンテーションが好評だった。",
        "（デモ）要望の対応状況を年度途中に知らせてもらえたのがよかった。",
        "対応状況の中間報告を継続する。若い世代の参加が少ない。",
        4,
    ),
    2020: (
        "感染症対策のため規模を縮小し、市内3会場とオンラインで開催。参加者は延べ88名。",
        "（デモ）オンラインは高齢の会員には難しかった。資料を事前に配ってほしい。",
        "オンライン併用時は資料の事前配布と機器操作の支援が必要。",
        3,
    ),
}


def machikado_series() -> list[dict[str, Any]]:
    collaborations = []
    for fiscal_year in MACHIKADO_YEARS:
        label = fiscal_year_label(fiscal_year)
        members = [*MACHIKADO_FIXED, *machikado_rotating(fiscal_year)]
        participations: list[dict[str, Any]] = [
            {
                "partner": FEDERATION,
                "role": "各町内会への参加呼びかけ、会場との調整",
                "is_lead": False,
                "cost_share_yen": 20000,
            }
        ]
        participations += [
            {
                "partner": association_id(n),
                "role": "会場の確保、地域の課題・要望の取りまとめ",
                "cost_share_yen": 10000,
            }
            for n in members
        ]
        if fiscal_year <= 2020:
            status = "EVALUATED"
        elif fiscal_year == 2021:
            status = "COMPLETED"
        else:
            status = "PLANNING"
        collaboration: dict[str, Any] = {
            "external_id": f"demo-collab-machikado-{fiscal_year}",
            "title": f"まちかどミーティング（{label}）",
            "summary": (
                "市が各地区に出向き、地域が抱える課題や要望について町内会・自治会の皆さんと"
                "意見交換をする懇談の場。職員が市民に知ってほしい情報をプレゼンテーションで"
                "説明する。"
            ),
            "status": status,
            "department": "kyodo",
            "fiscal_year": fiscal_year,
            "starts_on": f"{fiscal_year}-05-15",
            "ends_on": f"{fiscal_year + 1}-02-28",
            "purpose": "地域の課題や要望を直接聞き、市政とまちづくりに活かす。",
            "plan": "各地区で年5〜6回開催。町内会が会場と参加者を、市が説明資料と回答を用意する。",
            "budget_total_yen": 300000,
            "city_share_yen": 300000 - 20000 - 10000 * len(members),
            "partner_share_yen": 20000 + 10000 * len(members),
            "responsibility": (
                "共催のため経費と社会的責任は双方が負う。会場運営は町内会、説明内容と要望への"
                "回答は市（協働・男女平等参画室）が責任を持つ。"
            ),
            "is_public": True,
            "forms": ["CO_HOSTING"],
            "fields": ["planning", "safety"],
            "participations": participations,
        }
        if fiscal_year >= 2021:
            collaboration["review_due_on"] = "2023-03-31"
        if fiscal_year in MACHIKADO_EVALUATIONS:
            outcomes, feedback, lessons, rating = MACHIKADO_EVALUATIONS[fiscal_year]
            collaboration["evaluation"] = {
                "evaluated_on": f"{fiscal_year + 1}-03-20",
                "outcomes": outcomes,
                "partner_feedback": feedback,
                "lessons": lessons,
                "rating": rating,
            }
        collaborations.append(collaboration)
    return collaborations


# みんなの消費生活展: 苫小牧消費者協会 leads every year; in 令和3年度 with 16 more groups.
SHOHI_YEARS: dict[int, tuple[int, str]] = {
    2018: (10, "EVALUATED"),
    2019: (12, "EVALUATED"),
    2020: (6, "EVALUATED"),
    2021: (16, "EVALUATED"),
    2022: (8, "PLANNING"),
}

SHOHI_EVALUATIONS: dict[int, tuple[str, str, str | None, int]] = {
    2018: (
        "来場者約1,200名。出店11団体。寸劇「悪質商法にだまされないで」に約150名が参加した。",
        "（デモ）出店の準備期間が短かった。次回は早めに日程を決めてほしい。",
        "日程を半年前に確定する。",
        4,
    ),
    2019: (
        "来場者約1,400名。出店13団体。キャッシュレス決済の相談コーナーを新設した。",
        "（デモ）相談コーナーは好評だった。会場の案内表示を増やしてほしい。",
        None,
        4,
    ),
    2020: (
        "感染症対策のため展示のみに縮小し、来場者約500名。寸劇は動画で配信した。",
        "（デモ）動画配信は手探りだったが、来られない人にも届いた。",
        "縮小開催でも動画で発信を続けられた。次回も配信を併用する。",
        3,
    ),
    2021: (
        "来場者約1,100名。苫小牧消費者協会 外16団体が出店・ステージに参加。"
        "消費者トラブル相談は32件。",
        "（デモ）福祉団体との合同ブースで新しいつながりができた。市の広報の協力に感謝している。",
        "出店団体同士の交流の時間を設けると、団体間の協働が生まれやすい。",
        5,
    ),
}


def shohi_seikatsuten_series() -> list[dict[str, Any]]:
    collaborations = []
    for fiscal_year, (group_count, status) in SHOHI_YEARS.items():
        label = fiscal_year_label(fiscal_year)
        participations: list[dict[str, Any]] = [
            {
                "partner": CONSUMER_ASSOCIATION,
                "role": "実施主体。企画・出店団体の取りまとめ、寸劇によるステージ参加",
                "is_lead": True,
            }
        ]
        participations += [
            {"partner": consumer_group_id(n), "role": "出店・展示"}
            for n in range(1, group_count + 1)
        ]
        collaboration: dict[str, Any] = {
            "external_id": f"demo-collab-shohi-seikatsuten-{fiscal_year}",
            "title": f"みんなの消費生活展（{label}）",
            "summary": (
                "日々の暮らしに役立つ知識や情報を提供し、消費者意識の高揚を図る催し。"
                "消費者活動関連団体や福祉団体等の出店、苫小牧消費者協会の寸劇などのステージ参加の"
                "協力を得て開催する。"
            ),
            "status": status,
            "department": "shimin-seikatsu",
            "fiscal_year": fiscal_year,
            "starts_on": f"{fiscal_year}-10-01",
            "ends_on": f"{fiscal_year}-10-31",
            "purpose": "暮らしに役立つ知識と情報を届け、消費者意識を高める。",
            "plan": "10月の週末2日間、市民会館で出店・展示・ステージ・相談コーナーを行う。",
            "responsibility": (
                "事業の実施主体は苫小牧消費者協会。市（市民生活課）は会場確保と広報で補完的に"
                "協力する。"
            ),
            "is_public": True,
            "forms": ["BUSINESS_COOPERATION"],
            "fields": ["education", "environment"],
            "participations": participations,
        }
        if status != "PLANNING":
            collaboration["budget_total_yen"] = 450000 if fiscal_year != 2020 else 200000
            collaboration["city_share_yen"] = 150000 if fiscal_year != 2020 else 80000
            collaboration["partner_share_yen"] = 300000 if fiscal_year != 2020 else 120000
        else:
            # Not ready yet: cost and period are still being discussed with the groups.
            del collaboration["starts_on"]
            del collaboration["ends_on"]
            collaboration["review_due_on"] = "2022-09-30"
        if fiscal_year == 2021:
            # 第4章(5): the department reviewed the choice of partners after the event.
            collaboration["reviewed_on"] = "2021-12-15"
            collaboration["review_note"] = (
                "（デモ）同じ団体との開催が続いているため、令和4年度は出店団体を公募し、"
                "新しい団体にも声をかけることにした。"
            )
            collaboration["review_due_on"] = "2022-09-30"
        if fiscal_year in SHOHI_EVALUATIONS:
            outcomes, feedback, lessons, rating = SHOHI_EVALUATIONS[fiscal_year]
            evaluation: dict[str, Any] = {
                "evaluated_on": f"{fiscal_year}-12-10",
                "outcomes": outcomes,
                "partner_feedback": feedback,
                "rating": rating,
            }
            if lessons:
                evaluation["lessons"] = lessons
            collaboration["evaluation"] = evaluation
        collaborations.append(collaboration)
    return collaborations
