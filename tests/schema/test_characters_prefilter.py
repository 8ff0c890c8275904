"""The character check's JSON pre-filter changes no answer: what the exact walk finds
is still found, at the same path, and what it lets through still passes."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from kyodo.schema.extensions.characters import _surely_usable, _unusable_in_variables

NUL = "NUL 文字 \\u0000"
SURROGATE = "対になっていないサロゲート"


@pytest.mark.parametrize(
    ("variables", "found"),
    [
        ({"rows": [{"name": "中央　町内会"}]}, None),
        # The six characters \u0000 typed as text are not NUL.
        ({"rows": [{"name": "a\\u0000b"}]}, None),
        ({"rows": [{"name": "ok"}, {"name": "x\x00"}]}, ("$rows[1].name", NUL)),
        ({"rows": [{"na\x00me": "ok"}]}, ("$rows[0]", NUL)),
        ({"text": "\ud800"}, ("$text", SURROGATE)),
        # Not plain JSON: the walk decides, as before (it reads no tuple).
        ({"rows": OrderedDict(name="\x00")}, ("$rows.name", NUL)),
        ({"rows": ("\x00",)}, None),
        ({"rows": {"data": b"\x00"}}, None),
    ],
)
def test_prefilter_keeps_the_walks_answer(variables: dict, found: tuple | None) -> None:
    assert _unusable_in_variables(variables) == found


def test_prefilter_passes_plain_json_without_problems() -> None:
    assert _surely_usable({"rows": [{"name": "中央", "n": 1, "x": None, "l": [True, 1.5]}]})
    assert not _surely_usable({"rows": ["\x00"]})
    assert not _surely_usable({"rows": [object()]})
