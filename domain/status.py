"""One status machine for every entity that has statuses (rules 4, 8, 10, 11, 12).

A ``StatusMachine`` holds an entity's states with their Japanese labels (from the one
label table, ``domain.labels.LABELS``), the moves the flow allows, and the
``INVALID_TRANSITION`` error for a forbidden one. Each area defines its machine once (in
its ``rules.py``) and every command asks it: whether a move is allowed, which states a
move may start from, which states are final, and what to tell the user when a move is
refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, TypeVar

from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.labels import label_of

S = TypeVar("S", bound=StrEnum)


class StatusMachine(Generic[S]):
    """States, labels, allowed transitions and the error for a forbidden one.

    ``noun`` is how messages name the entity (申請, 協働事業, 協定); ``field`` is the
    problem's field when a move is refused by :meth:`check` (None: the fault is the
    stored status, not any argument).
    """

    def __init__(
        self,
        noun: str,
        table: Mapping[S, Iterable[S]],
        *,
        field: str | None = None,
    ) -> None:
        """``table``: each state, in display order, with the states it may move to
        (none: a final state)."""
        self.noun = noun
        self.labels: Mapping[S, str] = MappingProxyType({state: label_of(state) for state in table})
        self.transitions: Mapping[S, frozenset[S]] = MappingProxyType(
            {state: frozenset(targets) for state, targets in table.items()}
        )
        unknown = {t for targets in self.transitions.values() for t in targets} - set(table)
        if unknown:
            raise ValueError(f"transitions to states not in the table: {unknown}")
        self.field = field

    @property
    def states(self) -> tuple[S, ...]:
        return tuple(self.labels)

    def label(self, state: S) -> str:
        return self.labels[state]

    def allows(self, current: S, to: S) -> bool:
        return to in self.transitions[current]

    def sources(self, to: S) -> frozenset[S]:
        """The states a move to ``to`` may start from."""
        return frozenset(s for s, targets in self.transitions.items() if to in targets)

    @property
    def final(self) -> frozenset[S]:
        """The states nothing leaves (history)."""
        return frozenset(s for s, targets in self.transitions.items() if not targets)

    def refuse(self, message: str, field: str | None = None) -> DomainError:
        """The ``INVALID_TRANSITION`` error with ``message`` (for the caller to raise)."""
        return DomainError(ErrorCode.INVALID_TRANSITION, message, field)

    def message(self, current: S, to: S) -> str:
        """Why ``current`` → ``to`` is refused, and where ``current`` may go instead."""
        allowed = self.transitions[current]
        here, there = self.labels[current], self.labels[to]
        if to == current:
            return f"この{self.noun}はすでに「{here}」です。"
        if not allowed:
            return (
                f"「{here}」から「{there}」には変えられません。"
                f"「{here}」の{self.noun}は、これ以上状態を変えられません。"
            )
        options = "か".join(f"「{self.labels[s]}」" for s in self.states if s in allowed)
        return f"「{here}」から「{there}」には変えられません。{options}にだけ変えられます。"

    def check(self, current: S, to: S) -> None:
        """Raise ``INVALID_TRANSITION`` (on :attr:`field`) unless ``current`` → ``to`` is
        allowed."""
        if not self.allows(current, to):
            raise self.refuse(self.message(current, to), self.field)
