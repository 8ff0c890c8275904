"""Hypothesis strategies for fuzzing /graphql (tests/server/fuzz/).

Values are hostile on purpose: empty and huge strings, NUL, lone surrogates, full-width
and emoji text, numbers past every bound, global ids that decode to nonsense, dates at
the ends of the calendar, and now and then a value of the wrong type altogether.
Documents are built from the live schema, so any query or mutation field can be drawn
and nesting can go past the depth limit. Bodies cover what a broken client or a hostile
one sends: truncated or non-JSON bytes, JSON of the wrong shape, the wrong media type.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import strategies as st

# Text that would look like a leaked stack trace if the API echoed it back: the fuzzer
# never sends it, so finding it in a response always means a leak.
LEAK_MARKERS = (
    "traceback",
    'file "',
    "error(",
    "exception(",
    "sqlalchemy",
    "asyncpg",
    "sqlite3",
    "psycopg",
)


def _no_leak_marker(value: str) -> bool:
    lowered = value.lower()
    return not any(marker in lowered for marker in LEAK_MARKERS)


# ---------------------------------------------------------------- scalars

NASTY_STRINGS = [
    "",
    " ",
    "\u3000",
    "\u3000\u3000 ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\udbff\udc00",  # a surrogate pair that JSON carries as two escapes
    "😀",
    "👨\u200d👩\u200d👧",
    "ｱｲｳｴｵﾟ",
    "ＡＢＣ１２３",
    "とまこまい",
    "トマコマイ",
    "苫小牧市",
    "%",
    "_",
    "%_\\",
    "\\",
    '"',
    "'",
    "' OR '1'='1' --",
    "'; DROP TABLE partner; --",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "\u202eevil",
    "\ufeff",
    "\ufffd",
    "\U0010ffff",
    "\r\n",
    "e\u0301",
    "null",
    "NaN",
    "-1",
    "0",
    "1" * 13,
    "2" * 14,
    "8700110005901",  # a well-formed 法人番号
    "１２３４５６７８９０１２３",
    "000-0000-0001",
    "demo@example.jp",
    "@",
    "a@b",
    "あ" * 2000,
    "a" * 10000,
    "\x00" * 64,
]

NASTY_CHARS = (
    "\x00\x01\x08\x1f\x7f\u3000\u200b\u202e\ufeff\ufffd\ud800\udbff\udc00\udfff"
    "\U0001f600\U0010ffff ｱﾟ％＿Ａ１あア漢ー−%_\\'\"\n\t"
)


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Short hostile strings; every character, surrogates included, may occur."""
    return st.one_of(
        st.sampled_from(NASTY_STRINGS),
        st.text(alphabet=st.sampled_from(NASTY_CHARS), max_size=max_size),
        st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=max_size),
    ).filter(_no_leak_marker)


INT_EDGES = [
    0,
    1,
    -1,
    2,
    5,
    13,
    100,
    101,
    1000,
    1001,
    2021,
    2**31 - 1,
    -(2**31),
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63,
    10**30,
    -(10**30),
]


def ints() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(INT_EDGES), st.integers(-1000, 10**6), st.integers())


def floats() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.5, -0.0, 1e308, -1e308, math.inf, -math.inf, math.nan, 1.0]),
        st.floats(allow_nan=True, allow_infinity=True),
    )


DATE_EDGES = [
    "0001-01-01",
    "9999-12-31",
    "2024-02-29",
    "2023-02-29",
    "2022-03-10",
    "2019-04-30",
    "2019-05-01",
    "2022-13-01",
    "2022-00-10",
    "2022-03-32",
    "20220310",
    "2022-W10-4",
    "2022-03-10T09:00:00+09:00",
    "2022-03-10T25:00:00",
    "令和4年3月10日",
    "２０２２-０３-１０",
    "+10000-01-01",
    "-0001-01-01",
    "0000-00-00",
    " 2022-03-10",
    "",
]


def dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(DATE_EDGES),
        st.dates().map(lambda d: d.isoformat()),
        texts(12),
    )


def datetimes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["2022-03-10T09:00:00+09:00", "9999-12-31T23:59:59", "x"]),
        st.datetimes().map(lambda d: d.isoformat()),
        texts(12),
    )


# ---------------------------------------------------------------- global ids

NODE_TYPES = [
    "Partner",
    "Collaboration",
    "Agreement",
    "SubsidyProgram",
    "SubsidyApplication",
    "EndorsementApplication",
    "Proposal",
    "AuditEvent",
    "Department",
    "CollaborationField",
]
NOT_NODE_TYPES = ["", "Contact", "ApiToken", "partner", "Partner ", "Query", "__typename"]
PK_EDGES = [
    "0",
    "1",
    "2",
    "3",
    "00",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    " 1",
    "1 ",
    "",
    "١٢",  # Arabic-Indic digits: str.isdigit() says yes
    "²",  # isdigit() says yes, int() says no
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999999999",
]


def _b64(raw: bytes, *, urlsafe: bool, pad: bool) -> str:
    encoded = (base64.urlsafe_b64encode if urlsafe else base64.standard_b64encode)(raw).decode()
    return encoded if pad else encoded.rstrip("=")


def pks() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(PK_EDGES), st.integers(0, 200).map(str), st.integers().map(str)
    )


@st.composite
def global_ids(draw: st.DrawFn) -> str:
    """Ids of real types with odd keys, of types that are no nodes, and plain garbage."""
    kind = draw(st.integers(0, 5))
    if kind <= 1:
        type_name = draw(st.sampled_from(NODE_TYPES + NOT_NODE_TYPES))
        raw = f"{type_name}:{draw(pks())}".encode(errors="surrogatepass")
        return _b64(raw, urlsafe=draw(st.booleans()), pad=draw(st.booleans()))
    if kind == 2:
        raw = draw(st.binary(max_size=40))
        return _b64(raw, urlsafe=draw(st.booleans()), pad=draw(st.booleans()))
    if kind == 3:
        type_name = draw(st.sampled_from(NODE_TYPES))
        return draw(st.sampled_from([f"{type_name}:1", f"{type_name}1", "UGFydG5lcjox=="]))
    if kind == 4:
        inner = draw(texts(16)).encode("utf-8", errors="surrogatepass")
        return _b64(b"Partner:" + inner, urlsafe=True, pad=False)
    return draw(texts(30))


ORDERINGS = ["partners.NAME_KANA.asc", "partners.CREATED_AT.desc", "agreements", "proposals"]
"""Names of list orders, as keyset cursors carry them (domain.ordering.Ordering)."""

CURSOR_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.sampled_from(["2022-03-10", "0001-01-01", "9999-12-31T23:59:59-14:00", "あ"]),
    texts(12),
)


@st.composite
def cursors(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        raw = f"offset:{draw(pks())}".encode()
        return _b64(raw, urlsafe=draw(st.booleans()), pad=draw(st.booleans()))
    if kind == 1:  # shaped like a keyset cursor, with any values
        name = draw(st.one_of(st.sampled_from(ORDERINGS), texts(10)))
        values = draw(st.lists(CURSOR_VALUES, max_size=3))
        raw = json.dumps([name, values]).encode()
        return _b64(raw, urlsafe=True, pad=draw(st.booleans()))
    return draw(st.one_of(global_ids(), texts(20)))


# ---------------------------------------------------------------- domain-flavoured strings

DEPARTMENT_CODES = ["kyodo", "machizukuri", "kikikanri", "shimin-seikatsu", "zero-gomi"]
FIELD_CODES = ["elderly", "childcare", "safety", "environment", "cleanup", "festival", "arts"]


def _named_string(name: str) -> st.SearchStrategy[str] | None:
    """Plausible values for well-known argument and input field names, mixed with junk."""
    lowered = name.lower()
    if lowered in ("id", "ids") or (lowered.endswith(("id", "ids")) and lowered != "externalid"):
        return global_ids()
    if lowered in ("after", "before"):
        return cursors()
    if "departmentcode" in lowered:
        return st.one_of(st.sampled_from(DEPARTMENT_CODES), texts(20))
    if "fieldcode" in lowered or lowered == "categories":
        return st.one_of(st.sampled_from(FIELD_CODES), texts(20))
    if lowered == "email":
        return st.one_of(st.sampled_from(["demo@example.jp", "ｄｅｍｏ＠example.jp"]), texts(30))
    if lowered == "phone":
        return st.one_of(st.sampled_from(["000-0000-0001", "０００ー０００ー０００１"]), texts(20))
    if lowered == "corporatenumber":
        return st.one_of(
            st.sampled_from(["8700110005901", "1234567890123"]),
            st.text(alphabet="0123456789０１２３", min_size=12, max_size=14),
            texts(20),
        )
    return None


# ---------------------------------------------------------------- values for a GraphQL type


@dataclass(frozen=True)
class EnumName:
    """An enum value: written bare in a document, as a string in variables."""

    name: str


def any_value(depth: int = 2) -> st.SearchStrategy[Any]:
    """A value of no particular type (for the wrong-type cases)."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        ints(),
        floats(),
        texts(20),
        st.sampled_from([EnumName("ACTIVE"), EnumName("NOPE"), EnumName("true")]),
    )
    if depth <= 0:
        return leaves
    return st.one_of(
        leaves,
        st.lists(any_value(depth - 1), max_size=3),
        st.dictionaries(
            st.sampled_from(["a", "name", "kind", "id", "x_y", "first"]),
            any_value(depth - 1),
            max_size=3,
        ),
    )


@st.composite
def input_value(draw: st.DrawFn, type_: GraphQLInputType, name: str = "", depth: int = 0) -> Any:
    """A value for an input of ``type_``: usually of that type, hostile in content, and
    now and then null where null is not allowed, or of another type altogether."""
    if draw(st.integers(0, 19)) == 0:
        return draw(any_value())
    if isinstance(type_, GraphQLNonNull):
        if draw(st.integers(0, 29)) == 0:
            return None
        return draw(input_value(type_.of_type, name, depth))
    if draw(st.integers(0, 9)) == 0:
        return None
    if isinstance(type_, GraphQLList):
        size = draw(st.sampled_from([0, 1, 1, 2, 3, 101]) if depth < 2 else st.just(1))
        item = input_value(type_.of_type, name, depth + 1)
        if size > 3:  # over the 100-item cap: repeat one value instead of drawing 101
            return [draw(item)] * size
        return [draw(item) for _ in range(size)]
    if isinstance(type_, GraphQLEnumType):
        names = sorted(type_.values)
        return EnumName(draw(st.one_of(st.sampled_from(names), st.sampled_from(["NOPE", "x"]))))
    if isinstance(type_, GraphQLInputObjectType):
        value: dict[str, Any] = {}
        for field_name, input_field in sorted(type_.fields.items()):
            required = isinstance(input_field.type, GraphQLNonNull)
            if required or draw(st.booleans()):
                value[field_name] = draw(input_value(input_field.type, field_name, depth + 1))
        if draw(st.integers(0, 14)) == 0:
            value["unknownField"] = draw(any_value(0))
        return value
    assert isinstance(type_, GraphQLScalarType), type_
    return draw(scalar_value(type_.name, name))


def scalar_value(scalar: str, name: str) -> st.SearchStrategy[Any]:
    if scalar == "Int":
        return ints()
    if scalar == "Float":
        return floats()
    if scalar == "Boolean":
        return st.booleans()
    if scalar == "Date":
        return dates()
    if scalar == "DateTime":
        return datetimes()
    if scalar == "JSON":
        return any_value()
    named = _named_string(name)
    return texts() if named is None else named


def literal(value: Any) -> str:
    """``value`` written as a GraphQL literal (JSON escapes are valid GraphQL escapes)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, EnumName):
        return value.name
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # nan and inf are no GraphQL: a syntax error, also fine
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def jsonable(value: Any) -> Any:
    """``value`` for the variables object."""
    if isinstance(value, EnumName):
        return value.name
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- documents


@dataclass
class _Build:
    use_variables: bool
    definitions: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)

    def argument(self, draw: st.DrawFn, name: str, type_: GraphQLInputType) -> str:
        value = draw(input_value(type_, name))
        if not self.use_variables:
            return f"{name}: {literal(value)}"
        variable = f"v{len(self.definitions)}"
        declared = str(type_)
        if draw(st.integers(0, 19)) == 0:
            declared = draw(st.sampled_from(["String", "Int!", "[ID!]", "Boolean", "Nope"]))
        self.definitions.append(f"${variable}: {declared}")
        if value is not None or draw(st.booleans()):
            self.variables[variable] = jsonable(value)
        return f"{name}: ${variable}"


@dataclass(frozen=True)
class Operation:
    """A generated operation: the document, its variables, and its root fields."""

    query: str
    variables: dict[str, Any]
    root_fields: tuple[str, ...]
    is_mutation: bool

    def body(self) -> dict[str, Any]:
        return {"query": self.query, "variables": self.variables or None}


def _arguments(draw: st.DrawFn, build: _Build, definition: GraphQLField) -> str:
    parts: list[str] = []
    for name, argument in sorted(definition.args.items()):
        required = isinstance(argument.type, GraphQLNonNull)
        if (required and draw(st.integers(0, 29)) != 0) or (not required and draw(st.booleans())):
            parts.append(build.argument(draw, name, argument.type))
    if draw(st.integers(0, 29)) == 0:
        parts.append("nope: 1")
    return f"({', '.join(parts)})" if parts else ""


def _is_composite(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


def _selection(
    draw: st.DrawFn,
    schema: GraphQLSchema,
    build: _Build,
    parent: GraphQLNamedType,
    depth: int,
    target: int,
) -> str:
    """A selection set on ``parent`` whose deepest path is about ``target`` levels down."""
    if isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
        possible = sorted(schema.get_possible_types(parent), key=lambda t: t.name)
        chosen = draw(st.sampled_from(possible))
        inner = _selection(draw, schema, build, chosen, depth, target)
        return f"{{ __typename ... on {chosen.name} {inner} }}"
    assert isinstance(parent, GraphQLObjectType)
    names = sorted(parent.fields)
    composite = [n for n in names if _is_composite(get_named_type(parent.fields[n].type))]
    leaves = [n for n in names if n not in composite]
    picked: list[str] = []
    if composite and depth < target:
        picked.append(draw(st.sampled_from(composite)))
    if leaves and (not picked or draw(st.booleans())):
        picked.append(draw(st.sampled_from(leaves)))
    if parent.name.endswith("Payload") and "errors" in names and "errors" not in picked:
        picked.append("errors")  # mutations must tell whether they changed anything
    parts: list[str] = []
    for name in picked or ["__typename"]:
        if name == "__typename":
            parts.append(name)
            continue
        definition = parent.fields[name]
        text = name + _arguments(draw, build, definition)
        named = get_named_type(definition.type)
        if _is_composite(named):
            text += " " + _selection(draw, schema, build, named, depth + 1, target)
        parts.append(text)
    return "{ " + " ".join(parts) + " }"


@st.composite
def operations(draw: st.DrawFn, schema: GraphQLSchema, *, mutation: bool) -> Operation:
    """One operation on random root fields of the live schema, arguments inline or as
    variables, nested up to 14 levels (the limit is 10)."""
    root = schema.mutation_type if mutation else schema.query_type
    assert root is not None
    build = _Build(use_variables=draw(st.booleans()))
    target = draw(st.integers(1, 14))
    names = sorted(root.fields)
    # One root field per mutation, so that its payload alone says whether it wrote.
    count = 1 if mutation else draw(st.integers(1, 3))
    chosen = draw(st.lists(st.sampled_from(names), min_size=count, max_size=count, unique=True))
    parts: list[str] = []
    for name in chosen:
        definition = root.fields[name]
        text = name + _arguments(draw, build, definition)
        named = get_named_type(definition.type)
        if _is_composite(named):
            text += " " + _selection(draw, schema, build, named, 1, target)
        parts.append(text)
    keyword = "mutation" if mutation else "query"
    header = f"{keyword} ({', '.join(build.definitions)})" if build.definitions else keyword
    return Operation(
        query=f"{header} {{ {' '.join(parts)} }}",
        variables=build.variables,
        root_fields=tuple(chosen),
        is_mutation=mutation,
    )


# ---------------------------------------------------------------- documents that are not

BROKEN_DOCUMENTS = [
    "",
    " ",
    "{",
    "}",
    "{ }",
    "query",
    "mutation",
    "subscription { viewer { name } }",
    "{ viewer { name } } { viewer { role } }",
    "query A { viewer { name } } query A { viewer { role } }",
    "{ viewer { name } ",
    '{ partners(filter: { search: "\\ud800" }) { totalCount } }',
    '{ partners(filter: { search: "\\u{110000}" }) { totalCount } }',
    '{ partners(filter: { search: "unterminated) { totalCount } }',
    "{ partners(first: 99999999999999999999) { totalCount } }",
    "{ partners(first: -1) { totalCount } }",
    "{ partners(first: 1.5) { totalCount } }",
    "{ partners(first: $undeclared) { totalCount } }",
    "query ($n: Int) { partners(first: $n, first: 2) { totalCount } }",
    "{ node(id: null) { id } }",
    "{ nodes(ids: []) { id } }",
    "{ viewer @skip(if: true) { name } }",
    "{ viewer @nope { name } }",
    "{ viewer { name @include } }",
    "{ ...on Query { viewer { name } } }",
    "{ __schema { types { name fields { name } } } }",
    '{ __type(name: "\\u0000") { name } }',
    "fragment F on Query { viewer { name } }",
    "{ ...F } fragment F on Nope { x }",
    "{ viewer { name } } fragment F on Query { viewer { name } }",
    "\x00",
    "\ufeff{ viewer { name } }",
    "{ viewer { name } } # " + "ｺﾒﾝﾄ" * 100,
    "{ a: viewer { name } a: departments { code } }",
    '{ disasterSupport(on: "9999-12-31") { contactsStale } }',
    '{ disasterSupport(on: "0001-01-01") { contactsStale } }',
    '{ agreements(filter: { inForceOn: "9999-12-31", termEndsBy: "0001-01-01", contactsStaleAsOf: "0001-01-01" }) { totalCount edges { node { currentTermEndsOn(asOf: "9999-12-31") isInForce(on: "0001-01-01") contactsStale(asOf: "0001-01-01", maxAgeDays: 2147483647) } } } }',
    "{ partnerConcentration(fromFiscalYear: -2147483648, toFiscalYear: 2147483647, minConsecutiveYears: -1) { consecutiveYears } }",
    "{ partnerConcentration(fromFiscalYear: 1, toFiscalYear: 9999, minConsecutiveYears: 0) { consecutiveYears } }",
    "{ partnerSuggestions(fieldCodes: [], first: -1) { score } }",
    "{ partnerNetwork(fiscalYear: -2147483648, minSharedCollaborations: -2147483648) { links { sharedCollaborationCount } } }",
    "{ subsidyPrograms(fiscalYear: 2147483647) { name } }",
]


def deep_documents() -> st.SearchStrategy[str]:
    """Nesting past every limit: of selections, of list literals, of input objects."""
    return st.one_of(
        st.integers(8, 60).map(
            lambda n: (
                "{ agreements(first: 1) { edges { node { "
                + "amends { " * n
                + "id"
                + " }" * n
                + " } } } }"
            )
        ),
        st.integers(2, 300).map(
            lambda n: (
                "{ partners(filter: { fieldCodes: "
                + "[" * n
                + '"x"'
                + "]" * n
                + " }) { totalCount } }"
            )
        ),
        st.integers(2, 200).map(
            lambda n: (
                "{ partners(filter: " + "{ search: " * n + '"x"' + " }" * n + ") { totalCount } }"
            )
        ),
        st.integers(2, 600).map(lambda n: "{" * n + " viewer { name } " + "}" * n),
        st.integers(2, 400).map(
            lambda n: (
                "{ viewer { ...F0 } } "
                + " ".join(f"fragment F{i} on Viewer {{ ...F{i + 1} }}" for i in range(n))
                + f" fragment F{n} on Viewer {{ name }}"
            )
        ),
    )


def documents() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(BROKEN_DOCUMENTS),
        deep_documents(),
        texts(80),
        st.text(
            alphabet="{}()[]:$@!.=,\"'#\\ \nquerymutationfragmentonviewernamepartners0123",
            max_size=80,
        ).filter(_no_leak_marker),
    )


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
