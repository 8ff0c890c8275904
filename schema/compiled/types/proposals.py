"""The compiled path's Proposal (``schema/proposals/types.py``)."""

from __future__ import annotations

from kyodo.schema.compiled.specs import Related, TypeSpec, Value, columns
from kyodo.schema.proposals.types import ProposalType

PROPOSAL = TypeSpec(
    "Proposal",
    "Proposal",
    fields={
        **columns(ProposalType, "Proposal"),
        "identifiedNeeds": Value(("identified_needs",), lambda row: list(row.identified_needs)),
        "proposer": Related("proposer"),
        "department": Related("department"),
        "collaboration": Related("collaboration"),
    },
)
