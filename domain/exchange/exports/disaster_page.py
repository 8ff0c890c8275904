"""The printable disaster contact list: a self-contained HTML page (no scripts, fonts or
images fetched) for the day the systems are down. The page, its print CSS and its cover
are the template ``disaster_page.html`` (``string.Template``); the tables are built here,
every value HTML-escaped."""

from __future__ import annotations

import html
from datetime import date
from functools import cache
from importlib.resources import files
from string import Template

from kyodo.domain.agreements.standing import REVIEW_LABEL
from kyodo.domain.exchange.exports.disaster_listing import (
    NOT_VERIFIED,
    STALE_MARK,
    CategorySection,
    DisasterContactList,
    DisasterEntry,
    status_label,
)
from kyodo.domain.exchange.exports.formats import MARK
from kyodo.domain.exchange.municipality import municipality
from kyodo.domain.exchange.review_sections import review_html
from kyodo.domain.japanese import to_wareki

TITLE = "災害時応援協定 連絡先一覧"
COLUMNS = (
    ("partner", "協定相手方"),
    ("district", "地区"),
    ("person", "連絡先氏名"),
    ("role", "役職"),
    ("phone", "電話番号"),
    ("clock", "24時間"),
    ("verified", "最終確認日"),
    ("state", "状態"),
)

PAGE = "disaster_page.html"
"""The page's template, beside this module (shipped in the wheel as package data)."""


@cache
def page_template() -> Template:
    return Template(files(__package__).joinpath(PAGE).read_text(encoding="utf-8"))


def _css_string(value: str) -> str:
    """A value safe inside a double-quoted CSS string."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _lines(parts: list[str]) -> str:
    return "".join(part + "\n" for part in parts)


def render_disaster_contacts_html(listing: DisasterContactList) -> str:
    """The printable page: self-contained (no scripts, fonts or images fetched), every
    value HTML-escaped."""
    date_label = listing.date_label
    summary = []
    for section in listing.sections:
        count = f"{len(section.entries)} 件" if section.entries else "該当なし"
        summary.append(
            f'<tr><td>{_e(section.label)}</td><td class="number">{_e(count)}</td>'
            f'<td class="number">{section.stale_count} 件</td></tr>'
        )
    if listing.needing_review:
        summary.append(
            f'<tr><td><a href="#needing-review">{_e(REVIEW_LABEL)}</a></td>'
            f'<td class="number">{len(listing.needing_review)} 件</td><td class="number">―</td></tr>'
        )
    sections = [_section_html(s, date_label) for s in listing.sections if s.entries]
    if listing.needing_review:
        sections.append(review_html(listing.needing_review))
    return page_template().substitute(
        title=_e(TITLE),
        date=_e(date_label),
        title_css=_css_string(TITLE),
        date_css=_css_string(date_label),
        municipality=_e(municipality()),
        agreement_count=listing.agreement_count,
        partner_count=listing.partner_count,
        stale_mark=_e(STALE_MARK),
        summary_rows=_lines(summary),
        sections=_lines(sections),
    )


def _section_html(section: CategorySection, date_label: str) -> str:
    out = [
        f'<section class="category" id="category-{_e(section.category.value)}">',
        f"<h2>{_e(section.label)}（{len(section.entries)} 件）</h2>",
        '<table class="contacts">',
        '<colgroup><col class="partner"><col class="district"><col class="person">'
        '<col class="role"><col class="phone"><col class="clock"><col class="verified">'
        '<col class="state"></colgroup>',
        "<thead>",
        f'<tr class="sheet"><th colspan="{len(COLUMNS)}">{_e(TITLE)}　'
        f'<span class="as-of-cell">{_e(date_label)}</span>　'
        f'<span class="category-name">{_e(section.label)}</span></th></tr>',
        "<tr>" + "".join(f'<th class="{k}">{_e(c)}</th>' for k, c in COLUMNS) + "</tr>",
        "</thead>",
    ]
    for entry in section.entries:
        out.append(_entry_html(entry))
    out += ["</table>", "</section>"]
    return "\n".join(out)


def _wareki_html(day: date) -> str:
    """令和3年 / 8月14日 on two lines: narrow enough for the column, never split oddly."""
    wareki = to_wareki(day)
    year, _, rest = wareki.partition("年")
    return f"{_e(year)}年<br>{_e(rest)}"


def _entry_html(entry: DisasterEntry) -> str:
    """One partner: a ``<tbody>`` of one row per contact, kept together on a page."""
    row = entry.row
    contacts = entry.contacts
    span = max(len(contacts), 1)
    rowspan = f' rowspan="{span}"' if span > 1 else ""
    verified = row.contacts_verified_on
    verified_html = _wareki_html(verified) if verified else _e(NOT_VERIFIED)
    shared_head = (
        f'<td class="partner"{rowspan}>{_e(row.partner.name)}'
        f'<span class="agreement-title">{_e(row.agreement.title)}</span></td>'
        f'<td class="district"{rowspan}>{_e(row.partner.district or "")}</td>'
    )
    shared_tail = (
        f'<td class="verified"{rowspan}>{verified_html}</td>'
        f'<td class="state"{rowspan}>{_e(status_label(entry))}</td>'
    )
    css_class = "entry stale" if entry.stale else "entry"
    lines: list[str] = [f'<tbody class="{css_class}">']
    if not contacts:
        lines.append(
            f"<tr>{shared_head}"
            '<td class="none" colspan="4">連絡先の登録がありません</td>'
            f"{shared_tail}</tr>"
        )
    for index, contact in enumerate(contacts):
        cells = (
            f'<td class="person">{_e(contact.name)}</td>'
            f'<td class="role">{_e(contact.role or "")}</td>'
            f'<td class="phone">{_e(contact.phone or "")}</td>'
            f'<td class="clock">{MARK if contact.around_the_clock else ""}</td>'
        )
        if index == 0:
            lines.append(f"<tr>{shared_head}{cells}{shared_tail}</tr>")
        else:
            lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody>")
    return "\n".join(lines)
