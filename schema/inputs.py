"""What inputs share: a field left out (``strawberry.UNSET``, declared with ``kept``) as the
domain's ``UNSET``, an input that is its command's data field by field (``ToData``), and
global ids decoded with every malformed one reported at once (``Ids``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import strawberry

from kyodo.domain.base import UNSET
from kyodo.domain.errors import DomainError, Problem
from kyodo.schema.node import pk_of


def value_of(value: Any) -> Any:
    """strawberry.UNSET (field not sent) becomes the domain's UNSET; null stays None."""
    return UNSET if value is strawberry.UNSET else value


def kept(description: str) -> Any:
    """A field of an input that also updates: left out (``strawberry.UNSET``, the domain's
    ``UNSET`` through ``value_of``) it keeps the stored value; null clears it."""
    return strawberry.field(default=strawberry.UNSET, description=description)


def fields_of(value: Any, /, **replaced: Any) -> dict[str, Any]:
    """An input's fields by name, those in ``replaced`` replaced."""
    fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return fields | replaced


class ToData:
    """Base of an input whose fields are its command's data, by name:
    ``class EvaluationInput(ToData, data=commands.EvaluationData)``. ``to_data`` hands
    every field on (``value_of``; a list as a copy)."""

    _data: Callable[..., Any]

    def __init_subclass__(cls, data: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if data is not None:
            cls._data = data

    def to_data(self) -> Any:
        values = {name: value_of(value) for name, value in fields_of(self).items()}
        return self._data(
            **{name: list(v) if isinstance(v, list) else v for name, v in values.items()}
        )


class Ids:
    """Decodes an input's global ids, collecting the problem of every malformed one
    (INVALID at its path) in ``problems`` before reporting them together."""

    def __init__(self, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = [] if problems is None else problems

    def pk(self, global_id: str, type_name: str, field: str) -> int | None:
        """The primary key, or None with the problem noted."""
        try:
            return pk_of(global_id, type_name, field)
        except DomainError as error:
            self.problems.extend(error.problems)
            return None

    def optional_pk(self, global_id: Any, type_name: str, field: str) -> Any:
        """UNSET stays UNSET (not sent), None stays None (cleared)."""
        if global_id is strawberry.UNSET:
            return UNSET
        if global_id is None:
            return None
        return self.pk(global_id, type_name, field)

    def raise_if_any(self) -> None:
        if self.problems:
            raise DomainError(problems=self.problems)
