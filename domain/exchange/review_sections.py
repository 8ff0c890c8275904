"""The 「協定の見直しが必要」 part of the disaster contact list (rule 9, issue 11).

Partners that are DISSOLVED or INACTIVE never appear in the contact tables, so nobody
calls them in a disaster or reads them as 確認済; their agreements are listed apart,
after the tables, in every format of ``/exports/disaster-contacts``: a CSV line each
(協定区分 column 「協定の見直しが必要」, 状態 the reason), a ``needingReview`` list in
the JSON, a section of its own on the printed page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from kyodo.domain.agreements.standing import REVIEW_LABEL
from kyodo.domain.disasters.review import DisasterReviewRow
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS

CATEGORY_SEPARATOR = "、"


def _categories(row: DisasterReviewRow) -> str:
    return CATEGORY_SEPARATOR.join(SUPPORT_CATEGORY_LABELS[c] for c in row.support_categories)


def review_csv_rows(rows: Sequence[DisasterReviewRow]) -> Iterable[list[str | None]]:
    """Lines in the contact list's columns: no contact, no check date, the reason as 状態."""
    for row in rows:
        yield [
            REVIEW_LABEL,
            row.partner.name,
            row.partner.district,
            row.agreement.title,
            None,
            None,
            None,
            None,
            None,
            row.reason,
        ]


def review_document(rows: Sequence[DisasterReviewRow]) -> list[dict[str, Any]]:
    return [
        {
            "partner": {
                "name": row.partner.name,
                "district": row.partner.district,
                "externalId": row.partner.external_id,
                "status": row.partner_status.value,
            },
            "agreement": {"title": row.agreement.title, "externalId": row.agreement.external_id},
            "supportCategories": [c.value for c in row.support_categories],
            "reason": row.reason,
        }
        for row in rows
    ]


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def review_html(rows: Sequence[DisasterReviewRow]) -> str:
    """The printed page's last section; empty when every party can be counted on."""
    if not rows:
        return ""
    out = [
        '<section class="category review" id="needing-review">',
        f"<h2>{_e(REVIEW_LABEL)}（{len(rows)} 件）</h2>",
        '<p class="note">相手方が解散・休止中のため、上の一覧には載せていません。'
        "災害時には頼れません。協定の改正・解約や、別の相手方との協定を検討してください。</p>",
        '<table class="contacts">',
        "<thead><tr><th>協定相手方</th><th>地区</th><th>協定の名称</th><th>協定区分</th>"
        "<th>状態</th></tr></thead>",
        "<tbody>",
    ]
    for row in rows:
        out.append(
            f"<tr><td>{_e(row.partner.name)}</td><td>{_e(row.partner.district)}</td>"
            f"<td>{_e(row.agreement.title)}</td><td>{_e(_categories(row))}</td>"
            f'<td class="state">{_e(row.reason)}</td></tr>'
        )
    out += ["</tbody>", "</table>", "</section>"]
    return "\n".join(out)
