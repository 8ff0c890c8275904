"""What a counterparty's name says about it, before it is registered as a partner."""

from __future__ import annotations

import re
import unicodedata

# A name that denotes a group of bodies rather than one: 「都府県市」「道内市町村」
# 「○○協会加盟各社」「商業協同組合苫小牧港市場 外8団体」. Such a counterparty is not one
# partner (nobody can be called under it): importers keep it as text and flag it.
# A single body whose name merely contains those words (「北海道市町村振興協会」,
# 「全国市長会」) ends in its own legal or organisational form and is not matched.
_COLLECTIVE = re.compile(
    r"(?:"
    r"(?:都道府県|都府県市|都府県|道府県|区市町村|市区町村|市町村|各市|各町|各村)"
    r"|(?:各社|各団体|各機関|各事業者|各事業所|各店舗|各位|会員各社|加盟各社|加盟店|会員企業|加盟企業"
    r"|会員事業者|加盟事業者|構成団体|関係機関|関係団体)"
    r"|(?:外|ほか|他)[0-9０-９一二三四五六七八九十百]+(?:団体|社|者|機関|市町村|市|町|村|事業者)"
    r")(?:等|など)?$"
)


def is_collective_name(name: str) -> bool:
    """True when ``name`` stands for several bodies (「道内市町村」「○○協会加盟各社」,
    「… 外8団体」) rather than one organisation."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return bool(_COLLECTIVE.search(folded))
