"""The compiled path's EndorsementApplication (``schema/endorsements/types.py``)."""

from __future__ import annotations

from kyodo.schema.compiled.specs import Embedded, Related, TypeSpec, Value, columns
from kyodo.schema.endorsements.types import (
    EndorsementApplicationType,
    disqualifiers_of,
    screening_of,
)

ENDORSEMENT_APPLICATION = TypeSpec(
    "EndorsementApplication",
    "EndorsementApplication",
    fields={
        **columns(EndorsementApplicationType, "EndorsementApplication"),
        "disqualifiers": Value(("disqualifiers",), disqualifiers_of),
        "screening": Embedded(("disqualifiers", "contributes_to_city_policy"), screening_of),
        "organizer": Related("organizer"),
        "department": Related("department"),
    },
)
