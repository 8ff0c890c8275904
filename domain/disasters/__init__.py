"""The disaster-management office's working tool (issue 11): disaster events and the
support requested under agreements (応援要請), the yearly contact check per partner, and
what partners report they can supply (備蓄・能力)."""
