"""Global ids that decode to nonsense, and pagination cursors of every shape."""

from __future__ import annotations

import base64
import json

from hypothesis import strategies as st

from tests.server.strategies.scalars import texts

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
