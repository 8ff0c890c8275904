"""Free-text search terms (``filter: {search: ...}``): one limit, one pattern, any list.

Search folds width and kana (rule 14, :func:`domain.japanese.normalize_for_search`) and
matches anywhere with LIKE. A term is at most :data:`MAX_SEARCH_LENGTH` characters — as
long as the longest name a partner can have — and a longer one is refused with
``INVALID`` on both databases: SQLite refuses LIKE patterns past 50,000 bytes ("pattern
too complex"), and no stored text that long could match anyway.
"""

from __future__ import annotations

from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.japanese import like_pattern, normalize_for_search

MAX_SEARCH_LENGTH = 300
"""Characters in a search term (the longest partner name, ``Partner.name``)."""

SEARCH_FIELD = "filter.search"


def search_pattern(term: str | None, field: str = SEARCH_FIELD) -> str | None:
    """The LIKE pattern (escape ``\\``) for ``term``; None when there is nothing to search
    for (no term, or one that folds to nothing). A term longer than
    :data:`MAX_SEARCH_LENGTH` is a DomainError (INVALID) naming ``field``."""
    if term is None:
        return None
    if len(term) > MAX_SEARCH_LENGTH:
        raise DomainError(
            ErrorCode.INVALID,
            f"検索語は {MAX_SEARCH_LENGTH} 文字以内で指定してください（指定: {len(term):,} 文字）。",
            field,
        )
    if not normalize_for_search(term):
        return None
    return like_pattern(term)


__all__ = ["MAX_SEARCH_LENGTH", "search_pattern"]
