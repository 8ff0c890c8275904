"""Publishing a collaboration (情報共有, 第2章2).

The guideline asks the city to publish not only a matter's conclusion but how it was
reached (結論に至った流れ, 経緯), in everyday words instead of お役所言葉. Publishing a
collaboration states both, checked here on every path, and makes it readable by anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.collaborations.inputs import TEXT_MAX
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.collaborations.stored import COLLABORATIONS
from kyodo.domain.errors import ErrorCode
from kyodo.domain.writes import fields_snapshot

# お役所言葉 the guideline asks to turn into ordinary words, with a plain alternative.
OFFICIAL_JARGON: dict[str, str] = {
    "当該": "その",
    "鋭意": "できるかぎり",
    "善処": "できることを考えて対応します",
    "勘案": "考え合わせて",
    "斟酌": "考え合わせて",
    "可及的速やかに": "できるだけ早く",
    "遺漏": "漏れ",
    "諸般の事情": "（理由を具体的に書いてください）",
    "所管": "担当",
    "具備": "備える",
    "資する": "役立つ",
    "俎上": "話し合いの対象",
    "予算措置": "予算を用意すること",
}

PUBLISHED_FIELDS = ("is_public", "public_conclusion", "public_process", "published_on")


@dataclass(frozen=True, slots=True)
class PublicationData:
    conclusion: str | None
    process: str | None


def jargon_in(text: str) -> list[str]:
    """The お役所言葉 of :data:`OFFICIAL_JARGON` found in ``text``, in the table's order."""
    return [word for word in OFFICIAL_JARGON if word in text]


def plain_language_problems(problems: v.Problems, text: str, *, label: str, path: str) -> None:
    """One INVALID per お役所言葉 in ``text``, each with an everyday alternative."""
    for word in jargon_in(text):
        problems.add(
            ErrorCode.INVALID,
            f"{label}の「{word}」はお役所言葉です。市民に分かる言葉に言い換えてください"
            f"（例: 「{OFFICIAL_JARGON[word]}」）。",
            path,
        )


async def publish_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    data: PublicationData,
    actor: str,
    today: date,
) -> Collaboration:
    """Publish a collaboration with its conclusion and 経緯 in plain words (第2章2).

    Both texts are required (``REQUIRED`` when empty) and may not use the お役所言葉 of
    :data:`OFFICIAL_JARGON` (``INVALID`` naming the word and an everyday alternative).
    Publishing again replaces the texts; ``publishedOn`` is the day of the latest one.
    """
    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=fields_snapshot(PUBLISHED_FIELDS)
    )
    problems = v.Problems()
    texts: dict[str, str | None] = {}
    for name, value, label in (
        ("conclusion", data.conclusion, "結論"),
        ("process", data.process, "結論に至った経緯"),
    ):
        path = name
        text = v.required_text(problems, value, label=label, field=path, max_length=TEXT_MAX)
        if text is not None:
            plain_language_problems(problems, text, label=label, path=path)
        texts[name] = text
    problems.raise_if_any()

    await change.write(
        {
            "is_public": True,
            "public_conclusion": texts["conclusion"],
            "public_process": texts["process"],
            "published_on": today,
        }
    )
    await change.record(actor=actor, action="collaboration.publish")
    return change.row
