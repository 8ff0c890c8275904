"""GET /exports/...: the lists of :mod:`domain.exchange.exports` as downloads.

| path | who may read it |
|---|---|
| ``/exports/partners.csv`` / ``.xlsx`` / ``.json`` | ``READ_PARTNERS`` (personal data) |
| ``/exports/agreements.csv`` / ``.xlsx`` / ``.json`` | everyone; parties as ``domain.visibility`` shows them (PUBLIC: no individuals) |
| ``/exports/disaster-contacts.html`` / ``.csv`` / ``.json`` | ``READ_EMERGENCY_CONTACTS`` |
| ``/exports/support-requests.csv`` | ``READ_DISASTER`` (the activation log, for the after-action report) |
| ``/exports/agreements-due.ics`` | ``READ_DISASTER`` (the notice and renewal calendar, a year from ``on``) |

``?on=YYYY-MM-DD`` picks the date (default: today, Japan time); ``?encoding=cp932`` a
CSV in CP932 (Shift_JIS) instead of UTF-8 with a BOM. Without credentials a
restricted list answers 401, with a role that may not read it 403, in the JSON error
shape of the rest of the edge. Personal data served is written to the access log (APPI)
under the caller's name and the request id, as the GraphQL API does.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from kyodo.domain.audit.log import record_personal_data_reads
from kyodo.domain.enums import Role
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.exchange import disaster_exports, exports
from kyodo.domain.exchange.exports import CsvEncoding, ExportFile, ExportFormat, UnsupportedFormat
from kyodo.domain.transactions import WriteLockTimeout, begin_write
from kyodo.domain.visibility import PartnerVisibility
from kyodo.schema.context import ANONYMOUS, Principal, today_in_tokyo
from kyodo.schema.database_trouble import database_trouble
from kyodo.schema.permissions import (
    FORBIDDEN_READ,
    READ_DISASTER,
    READ_EMERGENCY_CONTACTS,
    READ_INTERNAL,
    READ_PARTNERS,
)
from kyodo.server.middleware import error_response

log = logging.getLogger("kyodo.exports")

EVERYONE = frozenset(Role)
LOGIN_REQUIRED = (
    "この一覧を見るには認証が必要です。Authorization: Bearer <トークン> を付けてください。"
)
BAD_DATE = (
    "日付「{value}」が正しくありません。on=YYYY-MM-DD の形で指定してください（例: on=2022-03-10）。"
)
FAILED = "一覧を作れませんでした。時間をおいてもう一度試してください。"
MORE_PROBLEMS = "（ほか {count:,} 件）"

# The printable page loads nothing: forbid everything but its own inline styles.
HTML_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)

Export = Callable[..., Awaitable[ExportFile]]
"""A list's export function: ``(session, *, fmt, on, encoding, **options)``."""


def _no_options(principal: Principal) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class ExportList:
    name: str
    roles: frozenset[Role]
    formats: tuple[ExportFormat, ...]
    export: Export
    options: Callable[[Principal], dict[str, Any]] = _no_options
    """What the list depends on of the caller, as keyword arguments of ``export``."""

    async def build(
        self,
        session: AsyncSession,
        fmt: ExportFormat,
        on: date,
        encoding: CsvEncoding,
        principal: Principal,
    ) -> ExportFile:
        return await self.export(
            session, fmt=fmt, on=on, encoding=encoding, **self.options(principal)
        )


SHEETS = (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON)

LISTS = (
    ExportList("partners", READ_PARTNERS, SHEETS, exports.export_partners),
    ExportList(
        "agreements",
        EVERYONE,
        SHEETS,
        exports.export_agreements,
        lambda principal: {"visibility": PartnerVisibility.for_role(principal.role)},
    ),
    ExportList(
        "disaster-contacts",
        READ_EMERGENCY_CONTACTS,
        (ExportFormat.HTML, ExportFormat.CSV, ExportFormat.JSON),
        exports.export_disaster_contacts,
    ),
    ExportList(
        "support-requests",
        READ_DISASTER,
        (ExportFormat.CSV,),
        disaster_exports.export_support_requests,
    ),
    ExportList(
        "agreements-due",
        READ_DISASTER,
        (ExportFormat.ICS,),
        disaster_exports.export_agreements_due,
        lambda principal: {"include_internal": principal.role in READ_INTERNAL},
    ),
)


def _refusal(principal: Principal) -> Response:
    if principal.role is Role.PUBLIC:
        # Only anonymous callers are PUBLIC: tokens are never issued for that role.
        return error_response(
            401,
            LOGIN_REQUIRED,
            "UNAUTHENTICATED",
            headers={"WWW-Authenticate": "Bearer", "Cache-Control": "no-store"},
        )
    return error_response(403, FORBIDDEN_READ, ErrorCode.FORBIDDEN.value)


def _headers(export: ExportFile) -> dict[str, str]:
    # The page to print opens in the browser; data files are saved.
    disposition = "inline" if export.format is ExportFormat.HTML else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{export.filename}"',
        # Personal data must not linger in shared caches or the browser's.
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if export.format is ExportFormat.HTML:
        headers["Content-Security-Policy"] = HTML_SECURITY_POLICY
    return headers


def _endpoint(spec: ExportList, fmt: ExportFormat) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        principal: Principal = getattr(request.state, "principal", ANONYMOUS)
        if principal.role not in spec.roles:
            return _refusal(principal)
        raw_on = request.query_params.get("on")
        try:
            on = date.fromisoformat(raw_on.strip()) if raw_on else today_in_tokyo()
        except ValueError:
            return error_response(400, BAD_DATE.format(value=raw_on), ErrorCode.INVALID.value)
        raw_encoding = request.query_params.get("encoding")
        try:
            encoding = exports.csv_encoding(raw_encoding) if raw_encoding else CsvEncoding.UTF8
        except UnsupportedFormat as error:
            return error_response(400, str(error), ErrorCode.INVALID.value)
        session: AsyncSession = request.state.db_session
        request_id = getattr(request.state, "request_id", "")
        try:
            export = await spec.build(session, fmt, on, encoding, principal)
            if export.personal_reads:
                # Read, then log in a write transaction (queued for the lock on SQLite).
                await begin_write(session)
                await record_personal_data_reads(
                    session,
                    actor=principal.name,
                    reads=export.personal_reads,
                    request_id=request_id,
                )
                await session.commit()
        except WriteLockTimeout as error:
            log.warning(
                "export %s.%s: reads not logged in time (request %s)",
                spec.name,
                fmt.value,
                request_id,
            )
            return error_response(503, error.message, "TIMEOUT")
        except UnsupportedFormat as error:  # ?encoding= on a list that is not a CSV
            await session.rollback()
            return error_response(400, str(error), ErrorCode.INVALID.value)
        except DomainError as error:
            # ``on`` outside the dates the data can hold; text CP932 cannot hold
            await session.rollback()
            message = error.problems[0].message
            if len(error.problems) > 1:
                message += MORE_PROBLEMS.format(count=len(error.problems) - 1)
            return error_response(400, message, error.code.value)
        except Exception as error:
            trouble = database_trouble(error)
            if trouble is not None:
                # Not a bug: the middleware answers 503 and logs one line.
                raise
            await session.rollback()
            log.exception("export %s.%s failed (request %s)", spec.name, fmt.value, request_id)
            return error_response(500, FAILED, "INTERNAL_SERVER_ERROR")
        return Response(export.body, media_type=export.media_type, headers=_headers(export))

    return endpoint


def export_routes() -> list[BaseRoute]:
    return [
        Route(f"/{spec.name}.{fmt.value}", _endpoint(spec, fmt), methods=["GET"])
        for spec in LISTS
        for fmt in spec.formats
    ]


def exports_mount() -> Mount:
    """``Mount("/exports", ...)`` for the app's routes."""
    return Mount("/exports", routes=export_routes())
