"""Hypothesis strategies for fuzzing /graphql (tests/server/fuzz/).

Values are hostile on purpose: empty and huge strings, NUL, lone surrogates, full-width
and emoji text, numbers past every bound, global ids that decode to nonsense, dates at
the ends of the calendar, and now and then a value of the wrong type altogether.
Documents are built from the live schema, so any query or mutation field can be drawn
and nesting can go past the depth limit. Bodies cover what a broken client or a hostile
one sends: truncated or non-JSON bytes, JSON of the wrong shape, the wrong media type.

What lives where (each module imports only those above it):

- ``scalars``: hostile strings, ints, floats, dates; ``LEAK_MARKERS``, which they avoid.
- ``ids``: global ids and pagination cursors.
- ``values``: a value for any GraphQL input type, as a literal or as a variable;
  plausible strings for well-known argument names.
- ``schema_documents``: ``operations`` built from the live schema, and ``Operation``.
- ``broken_documents``: documents that are not: ``BROKEN_DOCUMENTS``, ``documents``.
- ``http_requests``: ``raw_requests`` and bodies a client would not send, and
  ``authorization_headers``.

Every public name is re-exported here, so tests import from ``tests.server.strategies``.
"""

from __future__ import annotations

from tests.server.strategies.broken_documents import BROKEN_DOCUMENTS, deep_documents, documents
from tests.server.strategies.http_requests import (
    JSON_TYPES,
    OTHER_TYPES,
    VALID_BODY,
    RawRequest,
    authorization_headers,
    broken_bytes,
    json_shapes,
    nested_json,
    raw_requests,
)
from tests.server.strategies.ids import (
    CURSOR_VALUES,
    NODE_TYPES,
    NOT_NODE_TYPES,
    ORDERINGS,
    PK_EDGES,
    cursors,
    global_ids,
    pks,
)
from tests.server.strategies.scalars import (
    DATE_EDGES,
    INT_EDGES,
    LEAK_MARKERS,
    NASTY_CHARS,
    NASTY_STRINGS,
    dates,
    datetimes,
    floats,
    ints,
    texts,
)
from tests.server.strategies.schema_documents import Operation, operations
from tests.server.strategies.values import (
    DEPARTMENT_CODES,
    FIELD_CODES,
    EnumName,
    any_value,
    input_value,
    jsonable,
    literal,
    scalar_value,
)

__all__ = [
    "BROKEN_DOCUMENTS",
    "CURSOR_VALUES",
    "DATE_EDGES",
    "DEPARTMENT_CODES",
    "FIELD_CODES",
    "INT_EDGES",
    "JSON_TYPES",
    "LEAK_MARKERS",
    "NASTY_CHARS",
    "NASTY_STRINGS",
    "NODE_TYPES",
    "NOT_NODE_TYPES",
    "ORDERINGS",
    "OTHER_TYPES",
    "PK_EDGES",
    "VALID_BODY",
    "EnumName",
    "Operation",
    "RawRequest",
    "any_value",
    "authorization_headers",
    "broken_bytes",
    "cursors",
    "dates",
    "datetimes",
    "deep_documents",
    "documents",
    "floats",
    "global_ids",
    "input_value",
    "ints",
    "json_shapes",
    "jsonable",
    "literal",
    "nested_json",
    "operations",
    "pks",
    "raw_requests",
    "scalar_value",
    "texts",
]
