"""災害時応援協定: the sectors of the city's disaster-support agreements (title, support
categories, details) and their counterparties — 東日本電信電話株式会社, 100 invented
ones bound on 2022-03-10, and five whose agreements are not in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The guideline lists the disaster-support counterparties "as of 令和4年3月10日".
AS_OF = date(2022, 3, 10)


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
