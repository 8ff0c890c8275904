"""The shape every mutation shares, written once: its payload and its body.

A payload is "the object as saved, or the errors" (``XPayload { x: X, errors: [UserError!]! }``):

    @payload("SubsidyApplicationPayload", "The outcome of a change to an application.")
    class SubsidyApplicationPayload(Payload):
        application: SubsidyApplicationType | None = saved("application")

and a mutation's body is one domain command run through ``run_mutation`` (the one commit
point), its answer turned into the payload:

    return await SubsidyApplicationPayload.run(info, commands.submit_application, data=later(input.to_data))
    return await SubsidyApplicationPayload.change(
        info, commands.settle_application, id, expected_version, settled_amount_yen=...
    )

(``change``: ``application_id=pk(id, "SubsidyApplication"), expected_version=…``.)
``run`` adds ``actor`` (and ``today``, when the command requires it) from the context, and
evaluates the ``Later`` arguments (``pk``, ``later``) inside the transaction, so that a
malformed global id or input is a payload error (INVALID at its path), never a
top-level one.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.base import StrawberryOptional

from kyodo.schema.context import Info
from kyodo.schema.descriptions import PAYLOAD_ERRORS, ExpectedVersion, Id
from kyodo.schema.errors import UserError
from kyodo.schema.inputs import fields_of
from kyodo.schema.mutation import Outcome, run_mutation
from kyodo.schema.node import pk_of

P = TypeVar("P", bound="Payload")


class Later:
    """An argument of a command computed inside the mutation's transaction."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute


def later(compute: Callable[[], Any]) -> Later:
    """``data=later(input.to_data)``: the input's conversion, its errors as payload errors."""
    return Later(compute)


def pk(global_id: str, type_name: str, field: str = "id") -> Later:
    """The primary key of a global id (``schema.node.pk_of``), decoded inside the work."""
    return Later(lambda: pk_of(global_id, type_name, field))


@cache
def _takes_today(command: Callable[..., Any]) -> bool:
    """The command needs the caller's today (a required ``today`` parameter)."""
    parameter = inspect.signature(command).parameters.get("today")
    return parameter is not None and parameter.default is inspect.Parameter.empty


REQUIRED: Any = inspect.Parameter.empty
"""The default of an ``argument`` the caller must send."""


@dataclasses.dataclass(frozen=True)
class Argument:
    """A GraphQL argument of a declared mutation (``Payload.mutation``), handed on to the
    command under its own name; ``to_data``: as ``data=later(value.to_data)``; ``spread``:
    an input's fields, each under its own name; ``node``: a global id of that type, as its
    primary key (``pk``, INVALID at the argument)."""

    annotation: Any
    default: Any
    to_data: bool
    spread: bool
    node: str | None

    def passed(self, name: str, value: Any) -> dict[str, Any]:
        if self.node is not None:
            return {name: pk(value, self.node, name)}
        if self.to_data:
            return {"data": later(value.to_data)}
        if self.spread:
            return fields_of(value)
        return {name: value}


def argument(
    kind: Any,
    description: str | None = None,
    /,
    default: Any = REQUIRED,
    *,
    to_data: bool = False,
    spread: bool = False,
    node: str | None = None,
) -> Argument:
    """``argument(date, "Day it closed.")``; ``kind`` alone when it is an ``Annotated`` alias
    that has its description (``argument(DecidedOn, default=None)``)."""
    if description is not None:
        kind = Annotated[kind, strawberry.argument(description=description)]
    return Argument(kind, default, to_data, spread, node)


def _parameter(name: str, annotation: Any, default: Any = REQUIRED) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default
    )


_ON_RECORD = (_parameter("id", Id), _parameter("expected_version", ExpectedVersion))
"""The leading arguments of a mutation of a stored record: ``id``, ``expectedVersion``."""


def saved(noun: str) -> Any:
    """The payload's object field: "The <noun> as saved; null when errors is not empty."."""
    return strawberry.field(description=f"The {noun} as saved; null when errors is not empty.")


class Payload:
    """Base of the payloads made by ``payload``: ``of``, ``run`` and ``change``."""

    _result: ClassVar[str]
    _key: ClassVar[str]

    if TYPE_CHECKING:  # ``payload`` adds the field
        errors: list[UserError]

    @classmethod
    def _result_type(cls) -> Any:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        field = next(f for f in definition.fields if f.python_name == cls._result)
        kind = field.type
        return kind.of_type if isinstance(kind, StrawberryOptional) else kind

    @classmethod
    def _convert(cls) -> Callable[[Any], Any]:
        return cls._result_type().from_row  # type: ignore[no-any-return]

    @classmethod
    def of(cls: type[P], outcome: Outcome[Any]) -> P:
        """The payload of a mutation's outcome: the saved row as its type, or the errors."""
        value = outcome.value
        converted = cls._convert()(value) if value is not None else None
        return cls(**{cls._result: converted, "errors": outcome.errors})

    @classmethod
    async def run(
        cls: type[P],
        info: Info,
        command: Callable[..., Any],
        /,
        *,
        retry_on_conflict: int = 0,
        **arguments: Any,
    ) -> P:
        """``command(session, **arguments, actor=…, today=…)`` as the mutation, answered
        as this payload. ``Later`` arguments are computed inside the transaction (again
        on each retry, ``schema.mutation.run_mutation``'s ``retry_on_conflict``)."""
        context = info.context
        arguments.setdefault("actor", context.actor)
        if _takes_today(command):
            arguments.setdefault("today", context.today)

        async def work(session: AsyncSession) -> Any:
            values = {
                name: value.compute() if isinstance(value, Later) else value
                for name, value in arguments.items()
            }
            return await command(session, **values)

        return cls.of(await run_mutation(context, work, retry_on_conflict=retry_on_conflict))

    @classmethod
    async def change(
        cls: type[P],
        info: Info,
        command: Callable[..., Any],
        id: str,
        expected_version: int,
        /,
        **arguments: Any,
    ) -> P:
        """``run`` on a stored object: ``command(session, <field>_id=pk, expected_version=…,
        **arguments, …)``, the global id decoded as the payload's object type."""
        key = {cls._key: pk(id, cls._result_type().__strawberry_definition__.name)}
        return await cls.run(info, command, **key, expected_version=expected_version, **arguments)

    @classmethod
    def mutation(
        cls,
        command: Callable[..., Any],
        /,
        *,
        description: str,
        extensions: list[Any],
        **arguments: Argument,
    ) -> Any:
        """A mutation field whose body is ``run(info, command, **arguments)``: its GraphQL
        arguments are ``arguments``, in their order."""

        async def body(info: Info, values: dict[str, Any]) -> P:
            return await cls.run(info, command, **values)

        return cls._field(body, (), arguments, description, extensions)

    @classmethod
    def change_mutation(
        cls,
        command: Callable[..., Any],
        /,
        *,
        description: str,
        extensions: list[Any],
        **arguments: Argument,
    ) -> Any:
        """A mutation field of a stored record whose body is ``change(info, command, id,
        expected_version, **arguments)``: its arguments are ``id``, ``expectedVersion`` and
        ``arguments``, in their order."""

        async def body(info: Info, values: dict[str, Any]) -> P:
            id, expected_version = values.pop("id"), values.pop("expected_version")
            return await cls.change(info, command, id, expected_version, **values)

        return cls._field(body, _ON_RECORD, arguments, description, extensions)

    @classmethod
    def _field(
        cls,
        body: Callable[[Info, dict[str, Any]], Awaitable[Any]],
        leading: tuple[inspect.Parameter, ...],
        arguments: dict[str, Argument],
        description: str,
        extensions: list[Any],
    ) -> Any:
        """The Strawberry mutation of ``body``, its resolver's signature written out (the
        arguments Strawberry reads)."""

        async def resolve(self: Any, info: Info, **values: Any) -> Any:
            for name, value in list(values.items()):
                if name in arguments:
                    del values[name]
                    values.update(arguments[name].passed(name, value))
            return await body(info, values)

        resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                _parameter("self", REQUIRED),
                _parameter("info", Info),
                *leading,
                *(_parameter(n, a.annotation, a.default) for n, a in arguments.items()),
            ],
            return_annotation=cls,
        )
        return strawberry.mutation(resolver=resolve, description=description, extensions=extensions)


def payload(name: str, description: str) -> Callable[[type[P]], type[P]]:
    """Makes a class with one annotated field (the saved object) a payload type: its
    ``errors`` field follows that one, and ``of``/``run`` convert with the field's type's
    ``from_row``. The commands name the object's primary key ``<field>_id`` (``change``)."""

    def make(cls: type[P]) -> type[P]:
        annotations = cls.__annotations__  # its own: the class declares its field
        (result,) = (n for n in annotations if n != "_result")
        cls._result = result
        cls._key = f"{result}_id"
        annotations["errors"] = list[UserError]
        cls.errors = strawberry.field(description=PAYLOAD_ERRORS)  # type: ignore[attr-defined]
        return strawberry.type(name=name, description=description)(cls)

    return make
