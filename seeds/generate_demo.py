"""Write the large, regular parts of the demo data as JSON under ``seeds/demo/``.

Run ``python -m seeds.generate_demo``. The output is deterministic (no randomness, no
clock): the same code always writes byte-identical files, and a test checks that the
committed files match. The small, hand-authored files (reference data, the guideline's
named organisations, subsidies, endorsements, proposals...) live next to the generated
ones and are never written by this script; generated files are named ``generated_*.json``.

Every organisation invented here carries the marker 「（デモ）」 in its name, every phone
number starts with ``000-`` and every mail address ends with ``@example.jp``. The only
real organisation in the generated files is 東日本電信電話株式会社, which the guideline
names as a counterparty of the city's disaster-support agreements (苫小牧市災害時応援協定).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kyodo.domain.japanese import corporate_number_check_digit, fiscal_year_label

DEMO_DIR = Path(__file__).with_name("demo")

# The guideline lists the disaster-support counterparties "as of 令和4年3月10日".
AS_OF = date(2022, 3, 10)

GIVEN_NAMES = (
    "太郎",
    "花子",
    "一郎",
    "次郎",
    "三郎",
    "春子",
    "夏子",
    "秋子",
    "冬子",
    "健太",
    "翔太",
    "美咲",
    "陽子",
    "誠",
    "学",
    "直子",
    "和子",
    "博",
    "裕子",
    "明",
)


def demo_person(index: int) -> str:
    """A plainly fictional person's name: surname デモ, a common given name."""
    return f"デモ {GIVEN_NAMES[index % len(GIVEN_NAMES)]}"


def demo_corporate_number(serial: int) -> str:
    """A 法人番号 with a valid check digit in an invented range (body 999999xxxxxx)."""
    body = f"999999{serial:06d}"
    return f"{corporate_number_check_digit(body)}{body}"


def _document(description: str, **entities: list[dict[str, Any]]) -> dict[str, Any]:
    return {"description": description, **entities}


# ---------------------------------------------------------------- 町内会・自治会

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


# ---------------------------------------------------------------- 災害時応援協定


@dataclass(frozen=True)
class Sector:
    categories: tuple[str, ...]
    title: str
    details: str


SECTORS: dict[str, Sector] = {
    "telecom": Sector(
        ("LIFELINE_RESTORATION",),
        "災害時における通信設備の応急復旧等に関する協定",
        "通信設備の応急復旧、避難所への通信手段の確保",
    ),
    "supermarket": Sector(
        ("SUPPLIES",),
        "災害時における生活物資の供給に関する協定",
        "食料品・飲料水・日用品の優先供給",
    ),
    "convenience": Sector(
        ("SUPPLIES",),
        "災害時における生活物資の供給に関する協定",
        "店舗在庫の食料品・飲料水の供給、帰宅困難者への水道水・トイレの提供",
    ),
    "drugstore": Sector(
        ("SUPPLIES",),
        "災害時における医薬品等の供給に関する協定",
        "一般用医薬品・衛生用品の供給",
    ),
    "food": Sector(
        ("SUPPLIES",),
        "災害時における食料等の供給に関する協定",
        "主食・飲料水の供給",
    ),
    "fuel": Sector(
        ("SUPPLIES",),
        "災害時における燃料の優先供給に関する協定",
        "緊急車両・避難所への燃料の優先供給",
    ),
    "rental": Sector(
        ("SUPPLIES", "OTHER"),
        "災害時における資機材の供給に関する協定",
        "発電機・仮設トイレ・テント・寝具等の供給",
    ),
    "transport": Sector(
        ("TRANSPORT",),
        "災害時における緊急輸送に関する協定",
        "救援物資の輸送、車両・運転手の提供",
    ),
    "bus_taxi": Sector(
        ("TRANSPORT",),
        "災害時における避難者等の輸送に関する協定",
        "避難者・要配慮者の輸送",
    ),
    "medical": Sector(
        ("MEDICAL_AID",),
        "災害時の医療救護活動に関する協定",
        "救護所への医療救護班の派遣",
    ),
    "construction": Sector(
        ("LIFELINE_RESTORATION", "OTHER"),
        "災害時における応急対策業務に関する協定",
        "道路の障害物除去・応急復旧、重機・作業員の提供",
    ),
    "utility": Sector(
        ("LIFELINE_RESTORATION",),
        "災害時におけるライフラインの応急復旧に関する協定",
        "電気・ガス・水道・通信設備の応急復旧",
    ),
    "shelter": Sector(
        ("EVACUATION_SHELTER",),
        "災害時における避難施設としての使用に関する協定",
        "施設の一部を避難所・帰宅困難者の一時滞在施設として提供",
    ),
    "welfare": Sector(
        ("EVACUATION_SHELTER",),
        "災害時における福祉避難所の設置運営に関する協定",
        "要配慮者の受入れ（福祉避難所）",
    ),
    "media": Sector(
        ("PUBLIC_INFORMATION",),
        "災害時における放送等に関する協定",
        "災害情報・避難情報の放送・発信",
    ),
    "municipality": Sector(
        ("STAFF_DISPATCH", "SUPPLIES", "EVACUATION_SHELTER"),
        "災害時における相互応援に関する協定",
        "職員の派遣、物資の提供、被災者の受入れ",
    ),
    "professional": Sector(
        ("STAFF_DISPATCH",),
        "災害時における相談業務等の協力に関する協定",
        "被災者相談窓口・被災建築物の調査への専門職の派遣",
    ),
    "funeral": Sector(
        ("OTHER",),
        "災害時における遺体の搬送及び安置等に関する協定",
        "棺・資材の供給、遺体の搬送・安置",
    ),
    "waste": Sector(
        ("OTHER",),
        "災害時における災害廃棄物の処理に関する協定",
        "災害廃棄物の収集・運搬・処理",
    ),
    "animal": Sector(
        ("OTHER",),
        "災害時における動物救護活動に関する協定",
        "被災動物の救護・一時預かり",
    ),
    "security": Sector(
        ("STAFF_DISPATCH", "OTHER"),
        "災害時における交通誘導等の協力に関する協定",
        "交通誘導・避難所の警備",
    ),
}


@dataclass(frozen=True)
class Counterparty:
    number: int
    sector: str
    name: str
    name_kana: str
    kind: str = ""
    status: str = "ACTIVE"

    @property
    def external_id(self) -> str:
        return f"demo-partner-ds-{self.number:03d}"

    @property
    def partner_kind(self) -> str:
        if self.kind:
            return self.kind
        return "COMPANY" if "株式会社" in self.name else "OTHER_ORGANIZATION"

    @property
    def is_fictional(self) -> bool:
        return self.name.startswith("（デモ）")


NTT_EAST = 0

# Number 0 is the organisation the guideline names; 1-100 are invented, so the
# counterparties in force on 2022-03-10 are "東日本電信電話株式会社 外100団体".
_COUNTERPARTIES: tuple[tuple[str, ...], ...] = (
    ("telecom", "東日本電信電話株式会社", "ヒガシニホンデンシンデンワ"),
    ("supermarket", "（デモ）スーパーはまなす株式会社", "スーパーハマナス"),
    ("supermarket", "（デモ）ほっかいマート株式会社", "ホッカイマート"),
    ("supermarket", "（デモ）みなと生鮮館株式会社", "ミナトセイセンカン"),
    ("supermarket", "（デモ）樽前フードセンター株式会社", "タルマエフードセンター"),
    ("supermarket", "（デモ）ゆうふつストア株式会社", "ユウフツストア"),
    ("supermarket", "（デモ）北のくらし生活協同組合", "キタノクラシセイカツキョウドウクミアイ"),
    ("supermarket", "（デモ）しらかばマーケット株式会社", "シラカバマーケット"),
    ("supermarket", "（デモ）錦岡ショッピングセンター株式会社", "ニシキオカショッピングセンター"),
    ("supermarket", "（デモ）ぬまのはた市場株式会社", "ヌマノハタイチバ"),
    ("supermarket", "（デモ）ひだまり百貨店株式会社", "ヒダマリヒャッカテン"),
    ("convenience", "（デモ）まちかどコンビニ株式会社", "マチカドコンビニ"),
    ("convenience", "（デモ）ほくと24株式会社", "ホクトニジュウヨン"),
    ("convenience", "（デモ）ライトマート北海道株式会社", "ライトマートホッカイドウ"),
    ("convenience", "（デモ）すずらんストアーズ株式会社", "スズランストアーズ"),
    ("convenience", "（デモ）あさひデイリー株式会社", "アサヒデイリー"),
    ("drugstore", "（デモ）ほっとドラッグ株式会社", "ホットドラッグ"),
    ("drugstore", "（デモ）こまどり薬品株式会社", "コマドリヤクヒン"),
    ("drugstore", "（デモ）みどり調剤薬局株式会社", "ミドリチョウザイヤッキョク"),
    ("drugstore", "（デモ）北海ヘルスケア株式会社", "ホッカイヘルスケア"),
    ("drugstore", "（デモ）あおばドラッグ株式会社", "アオバドラッグ"),
    ("food", "（デモ）樽前湧水株式会社", "タルマエユウスイ"),
    ("food", "（デモ）苫小牧ベーカリー株式会社", "トマコマイベーカリー"),
    ("food", "（デモ）北の米穀株式会社", "キタノベイコク"),
    ("food", "（デモ）ゆうふつ乳業株式会社", "ユウフツニュウギョウ"),
    ("food", "（デモ）はまなす給食センター株式会社", "ハマナスキュウショクセンター"),
    ("food", "（デモ）しおかぜ飲料株式会社", "シオカゼインリョウ"),
    ("fuel", "（デモ）北日本石油販売株式会社", "キタニホンセキユハンバイ"),
    ("fuel", "（デモ）苫小牧地区石油業協同組合", "トマコマイチクセキユギョウキョウドウクミアイ"),
    ("fuel", "（デモ）胆振LPガス協会", "イブリエルピーガスキョウカイ"),
    ("fuel", "（デモ）みなと燃料株式会社", "ミナトネンリョウ"),
    ("rental", "（デモ）樽前リース株式会社", "タルマエリース"),
    ("rental", "（デモ）北海仮設株式会社", "ホッカイカセツ"),
    ("rental", "（デモ）苫小牧テント商会株式会社", "トマコマイテントショウカイ"),
    ("rental", "（デモ）ほくよう寝具株式会社", "ホクヨウシング"),
    ("rental", "（デモ）あさひ段ボール株式会社", "アサヒダンボール"),
    ("transport", "（デモ）樽前運送株式会社", "タルマエウンソウ"),
    ("transport", "（デモ）苫小牧地区トラック協会", "トマコマイチクトラックキョウカイ"),
    ("transport", "（デモ）みなと通運株式会社", "ミナトツウウン"),
    ("transport", "（デモ）勇払ロジスティクス株式会社", "ユウフツロジスティクス"),
    ("transport", "（デモ）北海フェリーサービス株式会社", "ホッカイフェリーサービス"),
    ("transport", "（デモ）沼ノ端倉庫株式会社", "ヌマノハタソウコ"),
    ("transport", "（デモ）ほくと航空サービス株式会社", "ホクトコウクウサービス"),
    ("transport", "（デモ）錦岡運輸株式会社", "ニシキオカウンユ"),
    ("transport", "（デモ）しらかば引越センター株式会社", "シラカバヒッコシセンター"),
    ("transport", "（デモ）苫小牧港湾運送株式会社", "トマコマイコウワンウンソウ"),
    ("bus_taxi", "（デモ）はまなすバス株式会社", "ハマナスバス"),
    ("bus_taxi", "（デモ）苫小牧地区ハイヤー協会", "トマコマイチクハイヤーキョウカイ"),
    ("bus_taxi", "（デモ）みなと交通株式会社", "ミナトコウツウ"),
    ("bus_taxi", "（デモ）樽前観光バス株式会社", "タルマエカンコウバス"),
    ("medical", "（デモ）苫小牧地区医師会", "トマコマイチクイシカイ"),
    ("medical", "（デモ）苫小牧地区歯科医師会", "トマコマイチクシカイシカイ"),
    ("medical", "（デモ）苫小牧地区薬剤師会", "トマコマイチクヤクザイシカイ"),
    ("medical", "（デモ）胆振看護協会", "イブリカンゴキョウカイ"),
    ("medical", "（デモ）苫小牧地区柔道整復師会", "トマコマイチクジュウドウセイフクシカイ"),
    ("animal", "（デモ）苫小牧地区獣医師会", "トマコマイチクジュウイシカイ"),
    ("construction", "（デモ）苫小牧建設業協会", "トマコマイケンセツギョウキョウカイ"),
    (
        "construction",
        "（デモ）苫小牧管工事業協同組合",
        "トマコマイカンコウジギョウキョウドウクミアイ",
    ),
    ("construction", "（デモ）苫小牧電設業協会", "トマコマイデンセツギョウキョウカイ"),
    ("construction", "（デモ）樽前建設株式会社", "タルマエケンセツ"),
    ("construction", "（デモ）みなと舗道株式会社", "ミナトホドウ"),
    ("construction", "（デモ）北海造園株式会社", "ホッカイゾウエン"),
    ("construction", "（デモ）苫小牧測量設計協会", "トマコマイソクリョウセッケイキョウカイ"),
    ("construction", "（デモ）ゆうふつ重機株式会社", "ユウフツジュウキ"),
    ("construction", "（デモ）錦岡土木株式会社", "ニシキオカドボク"),
    ("construction", "（デモ）苫小牧解体工業会", "トマコマイカイタイコウギョウカイ"),
    ("utility", "（デモ）みなと電力サービス株式会社", "ミナトデンリョクサービス"),
    ("utility", "（デモ）樽前ガス株式会社", "タルマエガス"),
    ("utility", "（デモ）苫小牧水道工事業協会", "トマコマイスイドウコウジギョウキョウカイ"),
    ("utility", "（デモ）北の通信工事株式会社", "キタノツウシンコウジ"),
    ("utility", "（デモ）ほくと設備保守株式会社", "ホクトセツビホシュ"),
    ("shelter", "（デモ）ホテルはまなす苫小牧株式会社", "ホテルハマナストマコマイ"),
    ("shelter", "（デモ）樽前温泉旅館株式会社", "タルマエオンセンリョカン"),
    ("shelter", "（デモ）苫小牧みなと学園", "トマコマイミナトガクエン"),
    ("shelter", "（デモ）北海技術大学", "ホッカイギジュツダイガク"),
    ("shelter", "（デモ）ゆうふつ体育館運営株式会社", "ユウフツタイイクカンウンエイ"),
    ("shelter", "（デモ）しらかば会館株式会社", "シラカバカイカン"),
    ("welfare", "（デモ）あけぼの福祉会", "アケボノフクシカイ"),
    ("welfare", "（デモ）ひかり福祉会", "ヒカリフクシカイ"),
    ("media", "（デモ）エフエムはまなす株式会社", "エフエムハマナス"),
    ("media", "（デモ）苫小牧ケーブルテレビ株式会社", "トマコマイケーブルテレビ"),
    ("media", "（デモ）みなと新聞社株式会社", "ミナトシンブンシャ"),
    (
        "media",
        "（デモ）苫小牧アマチュア無線クラブ",
        "トマコマイアマチュアムセンクラブ",
        "CITIZEN_GROUP",
    ),
    ("media", "（デモ）ほくとウェブサービス株式会社", "ホクトウェブサービス"),
    ("municipality", "（デモ）北のみなと市", "キタノミナトシ"),
    ("municipality", "（デモ）しらかば町", "シラカバチョウ"),
    ("municipality", "（デモ）はまなす村", "ハマナスムラ"),
    ("municipality", "（デモ）ゆきあかり市", "ユキアカリシ"),
    ("municipality", "（デモ）あおぞら町", "アオゾラチョウ"),
    ("professional", "（デモ）苫小牧行政書士会", "トマコマイギョウセイショシカイ"),
    ("professional", "（デモ）苫小牧司法書士会", "トマコマイシホウショシカイ"),
    ("professional", "（デモ）苫小牧建築士会", "トマコマイケンチクシカイ"),
    ("professional", "（デモ）苫小牧社会福祉協議会", "トマコマイシャカイフクシキョウギカイ"),
    ("funeral", "（デモ）苫小牧葬祭業協同組合", "トマコマイソウサイギョウキョウドウクミアイ"),
    ("funeral", "（デモ）みなと葬祭株式会社", "ミナトソウサイ"),
    (
        "waste",
        "（デモ）苫小牧環境整備事業協同組合",
        "トマコマイカンキョウセイビジギョウキョウドウクミアイ",
    ),
    ("waste", "（デモ）樽前クリーンサービス株式会社", "タルマエクリーンサービス"),
    ("waste", "（デモ）北海リサイクル株式会社", "ホッカイリサイクル"),
    (
        "animal",
        "（デモ）苫小牧動物愛護ボランティアの会",
        "トマコマイドウブツアイゴボランティアノカイ",
        "CITIZEN_GROUP",
    ),
    ("professional", "（デモ）苫小牧土地家屋調査士会", "トマコマイトチカオクチョウサシカイ"),
    ("security", "（デモ）苫小牧地区警備業協会", "トマコマイチクケイビギョウキョウカイ"),
    # 101-105: counterparties of agreements that are not in force on 2022-03-10.
    ("supermarket", "（デモ）旧みなとスーパー株式会社", "キュウミナトスーパー", "", "INACTIVE"),
    ("shelter", "（デモ）北央ホテル株式会社", "ホクオウホテル", "", "DISSOLVED"),
    ("fuel", "（デモ）はまなす燃料店", "ハマナスネンリョウテン", "COMPANY"),
    ("rental", "（デモ）樽前仮設資材株式会社", "タルマエカセツシザイ"),
    ("transport", "（デモ）北海ドローン協会", "ホッカイドローンキョウカイ"),
)

COUNTERPARTIES: tuple[Counterparty, ...] = tuple(
    Counterparty(number, *spec)  # type: ignore[arg-type]
    for number, spec in enumerate(_COUNTERPARTIES)
)
# The counterparties bound on 2022-03-10 ("東日本電信電話株式会社 外100団体").
BOUND_ON_AS_OF: tuple[Counterparty, ...] = COUNTERPARTIES[:101]

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

DISTRICT_NAMES = tuple(district for district, _reading, _count in DISTRICTS)


def counterparty_district(party: Counterparty) -> str | None:
    if party.sector == "municipality" or party.number == NTT_EAST:
        return None  # outside the city, or serving all of it
    return DISTRICT_NAMES[(party.number * 3) % len(DISTRICT_NAMES)]


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


class _Phones:
    """Hands out fictional phone numbers in one 000-NNNN block."""

    def __init__(self, block: int) -> None:
        self.block = block
        self.counter = 0

    def next(self) -> str:
        self.counter += 1
        return f"000-{self.block:04d}-{self.counter:04d}"


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


# ---------------------------------------------------------------- recurring series

FEDERATION = "demo-partner-rengokai"
CONSUMER_ASSOCIATION = "demo-partner-shohisha-kyokai"

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


# ---------------------------------------------------------------- output


def build() -> dict[str, dict[str, Any]]:
    """File name → document, for every generated file."""
    disaster = disaster_support()
    return {
        "generated_neighbourhood_associations.json": _document(
            "町内会・自治会 84団体（10地区）。名称はすべて架空（デモ）。"
            "Generated by seeds/generate_demo.py; do not edit by hand.",
            partners=neighbourhood_associations(),
        ),
        "generated_disaster_support.json": _document(
            "苫小牧市災害時応援協定: 東日本電信電話株式会社 外100団体（令和4年3月10日現在）と、"
            "期間満了・解除・交渉中の協定。東日本電信電話株式会社以外の協定先は架空（デモ）。"
            "Generated by seeds/generate_demo.py; do not edit by hand.",
            **disaster,
        ),
        "generated_recurring_series.json": _document(
            "毎年度続く協働事業: まちかどミーティング（平成30年度〜令和4年度）と"
            "みんなの消費生活展（平成30年度〜令和4年度、苫小牧消費者協会 外16団体）。"
            "Generated by seeds/generate_demo.py; do not edit by hand.",
            partners=consumer_groups(),
            collaborations=[*machikado_series(), *shohi_seikatsuten_series()],
        ),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write(directory: Path = DEMO_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in build().items():
        path = directory / name
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    for path in write():
        print(path)


if __name__ == "__main__":
    main()
