"""HTTP requests a GraphQL client would not send: bodies, media types, methods, headers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.server.strategies.broken_documents import BROKEN_DOCUMENTS, documents
from tests.server.strategies.scalars import texts
from tests.server.strategies.values import any_value, jsonable

# ---------------------------------------------------------------- HTTP bodies


@dataclass(frozen=True)
class RawRequest:
    method: str
    content: bytes
    content_type: str | None
    params: dict[str, str] | None = None


def _json_bytes(value: Any) -> bytes:
    """JSON as a client would send it; lone surrogates go out as \\uD800 escapes."""
    return json.dumps(jsonable(value), ensure_ascii=True).encode()


VALID_BODY = _json_bytes({"query": "{ viewer { name } departments { code } }"})

JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/json;charset=latin-1",
    "application/json; boundary=x",
]
OTHER_TYPES = [
    None,
    "",
    "text/plain",
    "application/graphql",
    "application/graphql-response+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "application/octet-stream",
    "json",
    ";",
]


@st.composite
def json_shapes(draw: st.DrawFn) -> bytes:
    """JSON that parses but is no GraphQL request (or only barely one)."""
    shape = draw(st.integers(0, 7))
    if shape == 0:
        return _json_bytes(draw(any_value()))
    if shape == 1:
        body = {"query": draw(any_value(1))}
        return _json_bytes(body)
    if shape == 2:
        body = {"query": "{ viewer { name } }", "variables": draw(any_value())}
        return _json_bytes(body)
    if shape == 3:
        body = {
            "query": "query A { viewer { name } } query B { viewer { role } }",
            "operationName": draw(any_value(1)),
        }
        return _json_bytes(body)
    if shape == 4:
        body = {"query": "{ viewer { name } }", "extensions": draw(any_value())}
        return _json_bytes(body)
    if shape == 5:
        # json.loads accepts NaN and Infinity, which are no JSON.
        return b'{"query": "query ($n: Int) { partners(first: $n) { totalCount } }", "variables": {"n": NaN}}'
    if shape == 6:
        return _json_bytes([{"query": "{ viewer { name } }"}] * draw(st.integers(0, 3)))
    return _json_bytes({"query": draw(documents())})


@st.composite
def nested_json(draw: st.DrawFn) -> bytes:
    """Arrays or objects nested deeper than Python's recursion limit."""
    depth = draw(st.sampled_from([500, 1200, 5000, 100_000]))
    inner = draw(st.sampled_from(["query", "variables"]))
    if draw(st.booleans()):
        nested = "[" * depth + "]" * depth
    else:
        nested = '{"a":' * depth + "1" + "}" * depth
    if inner == "query":
        return nested.encode()
    return ('{"query": "{ viewer { name } }", "variables": {"x": ' + nested + "}}").encode()


@st.composite
def broken_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:  # a valid request cut short
        return VALID_BODY[: draw(st.integers(0, len(VALID_BODY) - 1))]
    if kind == 2:  # invalid UTF-8: a raw surrogate, an overlong encoding, a stray byte
        junk = draw(st.sampled_from([b"\xed\xa0\x80", b"\xc0\xaf", b"\xff", b"\x80"]))
        return b'{"query": "{ viewer { name ' + junk + b' } }"}'
    if kind == 3:
        encoding = draw(st.sampled_from(["utf-16", "utf-32", "utf-8-sig", "shift_jis"]))
        return (
            '{"query": "{ partners(filter: {search: \\"とまこまい\\"}) { totalCount } }"}'.encode(
                encoding
            )
        )
    if kind == 4:
        return b'{"query": "{ viewer { name } }"' + draw(st.sampled_from([b",", b"}}", b"]", b"x"]))
    return draw(nested_json())


@st.composite
def raw_requests(draw: st.DrawFn) -> RawRequest:
    """A request a GraphQL client would not send."""
    kind = draw(st.integers(0, 4))
    if kind == 0:
        content = draw(st.one_of(broken_bytes(), json_shapes()))
        return RawRequest("POST", content, draw(st.sampled_from(JSON_TYPES)))
    if kind == 1:
        content = draw(st.one_of(st.just(VALID_BODY), broken_bytes()))
        return RawRequest("POST", content, draw(st.sampled_from(OTHER_TYPES)))
    if kind == 2:
        query = draw(st.one_of(st.sampled_from(BROKEN_DOCUMENTS[:12]), texts(30)))
        params = {"query": query.encode("utf-8", "surrogatepass").decode("utf-8", "replace")}
        if draw(st.booleans()):
            params["variables"] = draw(st.sampled_from(["{", "[]", "null", '{"a": 1}']))
        return RawRequest("GET", b"", None, params)
    if kind == 3:
        method = draw(st.sampled_from(["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]))
        return RawRequest(method, VALID_BODY, "application/json")
    return RawRequest("POST", draw(json_shapes()), "application/json")


def authorization_headers() -> st.SearchStrategy[str]:
    """Authorization values that carry no valid token (HTTP headers are Latin-1 text)."""
    printable = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
    return st.one_of(
        st.sampled_from(
            ["", "Bearer", "Bearer ", "Bearer  x", "Basic dXNlcjpwYXNz", "bearer x y", "Token x"]
        ),
        printable.map(lambda s: "Bearer " + s),
        printable,
    )
