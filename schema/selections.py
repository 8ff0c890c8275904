"""What a request asks of a field's result, for resolvers that can skip work nobody reads."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import SelectedField, Selection

from kyodo.schema.context import Info


def _names(selections: Iterable[Selection], name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif _names(selection.selections, name):  # a fragment: its own selections
            return True
    return False


def asks_for(info: Info, name: str) -> bool:
    """True when the current field's selection (fragments included) names the field
    ``name`` of its result, skipped or not: a resolver may then leave it out only when
    False."""
    return any(_names(field.selections, name) for field in info.selected_fields)
