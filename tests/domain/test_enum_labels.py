"""``domain.labels.LABELS``: one label and description for every value of every enum."""

from __future__ import annotations

from kyodo.domain.collaborations.forms import FORM_INFO
from kyodo.domain.enums import CollaborationForm, SupportCategory
from kyodo.domain.labels import LABELS, SUPPORT_CATEGORY_LABELS


def test_every_value_of_every_labelled_enum_has_a_label_and_a_description() -> None:
    for enum, table in LABELS.items():
        # then the table names exactly the enum's values, each with both texts
        assert list(table) == list(enum), enum.__name__
        for value, text in table.items():
            assert text.label.strip() and text.description.strip(), value


def test_the_old_label_tables_read_the_same_source() -> None:
    assert SUPPORT_CATEGORY_LABELS[SupportCategory.STAFF_DISPATCH] == "職員派遣"
    assert FORM_INFO[CollaborationForm.CO_HOSTING].label == "共催"
