"""Documents that are not: broken syntax, invalid operations, nesting past every limit."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.server.strategies.scalars import _no_leak_marker, texts

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
