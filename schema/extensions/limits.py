"""The fixed limits of one operation, and the extensions that enforce the plain ones.

Tokens (``TokenLimit``, while parsing), nesting depth (``DepthLimit``) and aliases
(``AliasLimit``) are Strawberry's limiters, with one rule class for every request so that
validation can be cached by document. The estimate limits are used by ``cost_limit``.
"""

from __future__ import annotations

from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

MAX_TOKENS = 2000
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_COST = 1_000_000
"""Estimated resolver work (see ``estimate_cost``) one operation of a caller with a token
may take when the operator caps it (``KYODO_MAX_COST_AUTHENTICATED``; by default a caller
with a token has no estimate cap: the time, statement and response-size limits bound it)."""
MAX_COST_PUBLIC = 50_000
"""... and of an anonymous caller: at most about a tenth of a second of the server's time."""
MAX_SELECTIONS = 10_000
"""Field selections once every fragment spread is expanded: stops "fragment bombs"
(fragments spreading other fragments twice, doubling at each level) before anything
walks the expanded tree."""
MAX_FRAGMENT_NESTING = 20
"""Fragment spreads inside fragment spreads (``...A`` whose A spreads B, ...). They add
no field depth, so QueryDepthLimiter follows a chain of them by recursion without limit
(strawberry 0.341): a few hundred links blew Python's stack."""


class TokenLimit(MaxTokensLimiter):
    """``MAX_TOKENS`` per document, checked while it is parsed."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)


_DEPTH_RULE = depth_rule(MAX_DEPTH, None, None)
_ALIASES_RULE = aliases_rule(MAX_ALIASES)


class DepthLimit(AddValidationRules):
    """Strawberry's ``QueryDepthLimiter(max_depth=MAX_DEPTH)``, with one rule class for
    every request (QueryDepthLimiter makes a new one each time), so that validation can
    be cached by document."""

    def __init__(self) -> None:
        super().__init__([_DEPTH_RULE])


class AliasLimit(AddValidationRules):
    """Strawberry's ``MaxAliasesLimiter(max_alias_count=MAX_ALIASES)``, one rule class."""

    def __init__(self) -> None:
        super().__init__([_ALIASES_RULE])
