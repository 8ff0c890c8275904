"""The GraphQL view at /graphql (Strawberry's ASGI view): the request's time and size
limits (:class:`ResponseLimits`), trusted documents, the response cache, the JSON codec
and the context each operation runs with. ``server.fast_reads`` answers the documents it
knows before this view; ``server.app.create_app`` builds both."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult as StrawberryExecutionResult

from kyodo.schema.context import ANONYMOUS, Context
from kyodo.schema.response_cache import ResponseStore
from kyodo.server import graphql_http
from kyodo.server.graphiql import GraphiQLPage
from kyodo.server.guards import (
    TROUBLE_CODES,
    trouble_headers,
)
from kyodo.server.trusted_documents import TrustedDocuments, parse_body

log = logging.getLogger("kyodo")


@dataclass(frozen=True, slots=True)
class ResponseLimits:
    """Per request: how long a query may run (seconds, 0 = no limit) and how large the
    response may be (bytes)."""

    timeout_s: float = 0
    max_bytes: int = 4 * 1024 * 1024


def _error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def timeout_error(timeout_s: float, request_id: str) -> GraphQLError:
    """A query stopped by the request's time limit (``ResponseLimits.timeout_s``)."""
    return _error(
        f"処理が時間内（{timeout_s:g} 秒）に終わらなかったため打ち切りました。"
        "取得する件数やフィールドを減らすか、クエリを分けてください。",
        "TIMEOUT",
        timeoutMs=round(timeout_s * 1000),
        requestId=request_id,
    )


def _codes(response_data: Any) -> set[str]:
    items = response_data if isinstance(response_data, list) else [response_data]
    return {
        str((error.get("extensions") or {}).get("code"))
        for item in items
        if isinstance(item, dict)
        for error in item.get("errors") or ()
        if isinstance(error, dict)
    }


class KyodoGraphQL(GraphQL[Context, None]):
    # KYODO_COMPILED_READS: the operator's switch for the compiled read path.
    compiled_reads: bool = True
    # KYODO_MAX_COST_AUTHENTICATED: the estimate's cap for callers with a token (0: none).
    max_cost_authenticated: int = 0
    # KYODO_ACCESS_LOG_WAIT_FOR_FLUSH: the fast path's access log waits for its WAL flush.
    access_log_wait_for_flush: bool = False

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        limits: ResponseLimits,
        response_store: ResponseStore | None = None,
        trusted_documents: TrustedDocuments | None = None,
        graphiql: GraphiQLPage | None = None,
        **kwargs: Any,
    ):
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, **kwargs)
        self.limits = limits
        self.trusted_documents = trusted_documents
        # This instance's response cache (KYODO_RESPONSE_CACHE); None: off.
        self.response_store = response_store
        self.graphiql = graphiql

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page (server/graphiql.py): every file from this server."""
        assert self.graphiql is not None
        return self.graphiql.response()

    async def execute_single(  # type: ignore[override]
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> Any:
        """Run one operation; a query still running after ``limits.timeout_s`` is stopped
        (at its next await) and answered with TIMEOUT. A request naming a trusted document
        by id runs its registered text (``server.trusted_documents``)."""
        self.refuse_before_execution(request_adapter, request_data)
        if self.trusted_documents is not None:
            refusal = await self.resolve_document(request, context, request_data)
            if refusal is not None:
                return StrawberryExecutionResult(data=None, errors=[refusal])
        if not request_data.query:
            raise graphql_http.missing_query()
        timeout_s = self.limits.timeout_s

        async def run() -> Any:
            try:
                return await super(KyodoGraphQL, self).execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
            except graphql_http.HTTPException as error:
                # Strawberry turns this one into a 400 text; it is a request error.
                if isinstance(error.__cause__, CannotGetOperationTypeError):
                    return self.operation_not_found(error.__cause__)
                raise

        if not timeout_s:
            return await run()
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(None) as deadline:
                # Armed by schema.extensions.QueryTimeLimit, for queries only.
                context.start_time_limit = lambda: deadline.reschedule(started + timeout_s)
                return await run()
        except TimeoutError:
            if not deadline.expired():
                raise
        # The cancelled resolvers' database calls finish before the session is closed.
        await context.settle()
        log.warning(
            "query stopped after %.1f s (request %s)", loop.time() - started, context.request_id
        )
        return StrawberryExecutionResult(
            data=None, errors=[timeout_error(timeout_s, context.request_id)]
        )

    async def resolve_document(
        self, request: Any, context: Context, request_data: Any
    ) -> GraphQLError | None:
        assert self.trusted_documents is not None
        query = request_data.query
        body = parse_body(await request.body()) if query is None else None
        async with context.lock:
            text, refusal = await self.trusted_documents.resolve(
                context.session, query=query, body=body, extensions=request_data.extensions
            )
        request_data.query = text
        return refusal

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        """The JSON response: 503 when database trouble or a timeout spoiled it, and
        RESPONSE_TOO_LARGE instead of a body larger than ``limits.max_bytes``."""
        body = self.encode_json(response_data)
        if len(body) > self.limits.max_bytes:
            # Whatever personal data the answer held is not sent; its access-log entry
            # (written as execution ended) errs on the side of recording a read.
            log.warning(
                "response of %d bytes not sent (limit %d)", len(body), self.limits.max_bytes
            )
            mib, rest = divmod(self.limits.max_bytes, 1024 * 1024)
            limit = f"{mib} MiB" if not rest else f"{self.limits.max_bytes:,} バイト"
            response_data = {
                "data": None,
                "errors": [
                    {
                        "message": f"応答が大きすぎます（上限 {limit}）。"
                        "取得する件数やフィールドを減らすか、クエリを分けてください。",
                        "extensions": {
                            "code": "RESPONSE_TOO_LARGE",
                            "maxBytes": self.limits.max_bytes,
                        },
                    }
                ],
            }
            body = self.encode_json(response_data)
        media_type = self.response_media_type(sub_response)
        response = Response(
            body,
            status_code=graphql_http.status_for(response_data, media_type),
            media_type=media_type,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        trouble = _codes(response_data) & TROUBLE_CODES
        if trouble:
            response.status_code = 503
            for code in sorted(trouble):
                response.headers.update(trouble_headers(code))
        return response

    def encode_json(self, data: object) -> bytes:
        """UTF-8 JSON: Japanese stays readable (curl, logs) instead of \\uXXXX escapes.

        orjson writes the same bytes as ``json.dumps(ensure_ascii=False, separators=(",",
        ":"))`` some 20 times faster (0.6 ms less for a page of 100 partners); what it
        cannot encode (an integer beyond 64 bits) goes through ``json``."""
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    def decode_json(self, data: str | bytes) -> object:
        # Strawberry answers 400 only to a JSONDecodeError: bytes that are not UTF-8, JSON
        # nested past Python's recursion limit, or a bare scalar (null, 5, "x") made it
        # fail with a 500. A list passes on: Strawberry refuses it as a batch. A lone
        # surrogate ("\ud800") is no text: no database stores it, and a message that
        # echoed it could not be sent back in UTF-8.
        refused = graphql_http.RequestRefused
        try:
            value = json.loads(data)
            json.dumps(value, ensure_ascii=False).encode()
        except (UnicodeDecodeError, RecursionError) as error:
            raise refused(
                400,
                graphql_http.BAD_REQUEST,
                "リクエストの本文を JSON として読めません（UTF-8 でないか、入れ子が深すぎます）。",
            ) from error
        except UnicodeEncodeError as error:
            raise refused(
                400,
                graphql_http.BAD_REQUEST,
                "リクエストに使えない文字（対になっていないサロゲート \\ud800 など）があります。",
            ) from error
        if not isinstance(value, dict | list):
            raise refused(
                400,
                graphql_http.BAD_REQUEST,
                "リクエストの本文は JSON オブジェクトにしてください。",
            )
        return value

    # ------------------------------------------------------------ GraphQL over HTTP
    # (server/graphql_http.py): media type, status of request errors, refusals as JSON.

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's, but a refusal is JSON with a code and a Japanese message in the
        negotiated media type, not English ``text/plain``."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except graphql_http.HTTPException as error:
            media_type = graphql_http.response_media_type(request.headers.get("accept"))
            response = graphql_http.refusal_response(error, media_type)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Read back by create_response: the media type the client asked for.
        sub_response.media_type = graphql_http.response_media_type(request.headers.get("accept"))
        return sub_response

    @staticmethod
    def response_media_type(sub_response: Response) -> str:
        return sub_response.media_type or graphql_http.JSON

    async def process_result(self, request: Request, result: Any) -> Any:
        """A request error (nothing executed) has no ``data`` entry at all."""
        response_data = await super().process_result(request, result)
        if graphql_http.is_request_error(response_data):
            response_data.pop("data", None)
        return response_data

    def refuse_before_execution(self, request_adapter: Any, request_data: Any) -> None:
        """Refuse what cannot run, before any document is looked up: an operation over
        GET (405: GET serves GraphiQL only), an ``operationName`` that is no string (400).
        A request with no document at all is refused once trusted documents had their
        say (an id they do not know is PERSISTED_QUERY_NOT_FOUND, a request error)."""
        if request_adapter.method == "GET":
            raise graphql_http.get_refused()
        if not isinstance(request_data.operation_name, str | None):
            raise graphql_http.operation_name_not_text()

    @staticmethod
    def operation_not_found(error: CannotGetOperationTypeError) -> StrawberryExecutionResult:
        """No operation matches ``operationName``: a request error, not a 400 text."""
        name = error.operation_name
        message = (
            f"operationName「{name}」の操作が文書にありません。"
            if name is not None
            else "文書に実行できる操作がありません。"
        )
        return StrawberryExecutionResult(
            data=None, errors=[_error(message, "OPERATION_RESOLUTION_FAILURE")]
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.state
        return Context(
            session=state.db_session,
            principal=getattr(state, "principal", ANONYMOUS),
            request=request,
            request_id=getattr(state, "request_id", ""),
            compiled_reads=self.compiled_reads,
            response_store=self.response_store,
            data_version=getattr(state, "data_version", None),
            max_cost_authenticated=self.max_cost_authenticated,
        )
