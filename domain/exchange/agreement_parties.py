"""Counterparties (協定相手方) as lists write them: several to a cell, legal forms
abbreviated (㈱), the place in parentheses; matched to partners by their folded name."""

from __future__ import annotations

import re
from typing import Any

from kyodo.domain.enums import PartnerKind
from kyodo.domain.exchange.columns import fold_name, split_list

_PARTY_SEPARATORS = r"[、\n]"
# Legal-form abbreviations as written in lists (㈱ folds to (株) under NFKC): a party
# written 「東日本電信電話㈱」 is the partner registered as 「東日本電信電話株式会社」.
_ABBREVIATIONS = {
    "(株)": "株式会社",
    "(有)": "有限会社",
    "(同)": "合同会社",
    "(一社)": "一般社団法人",
    "(公社)": "公益社団法人",
    "(社)": "社団法人",
    "(一財)": "一般財団法人",
    "(公財)": "公益財団法人",
    "(財)": "財団法人",
    "(社福)": "社会福祉法人",
    "(特非)": "特定非営利活動法人",
    "(医)": "医療法人",
}
_ABBREVIATION = re.compile("|".join(re.escape(a) for a in _ABBREVIATIONS))
_IN_PARENTHESES = re.compile(r"\([^()]*\)")  # matched after NFKC: （） are ()


def party_key(name: str) -> str:
    """How counterparty names compare: NFKC, no spaces, legal-form abbreviations spelt out."""
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m[0]], fold_name(name))


def kind_for_name(name: str) -> PartnerKind:
    """The kind of an organisation known only by its name, from its legal form.

    NPO法人 / 特定非営利活動法人 → NPO; 株式会社 / 有限会社 / 合同会社 → COMPANY (the legal
    form decides before words such as 協会); a 町内会 or 自治会 (not a 連合会 of them) →
    NEIGHBORHOOD_ASSOCIATION; everything else (協会, 組合, 連合会, public bodies) →
    OTHER_ORGANIZATION.
    """
    key = party_key(name).upper()
    if "特定非営利活動法人" in key or "NPO法人" in key:
        return PartnerKind.NPO
    if any(form in key for form in ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社")):
        return PartnerKind.COMPANY
    if ("町内会" in key or "自治会" in key) and "連合会" not in key:
        return PartnerKind.NEIGHBORHOOD_ASSOCIATION
    return PartnerKind.OTHER_ORGANIZATION


def split_parties(value: Any) -> list[str]:
    """The organisations of a 協定相手方 cell, without repeats; a line or item wholly in
    parentheses (「(北海道札幌市)」, where they are) is not a party."""
    names: dict[str, str] = {}
    for item in split_list(value, _PARTY_SEPARATORS):
        if _IN_PARENTHESES.fullmatch(fold_name(item)):
            continue
        names.setdefault(party_key(item), item)
    return list(names.values())
