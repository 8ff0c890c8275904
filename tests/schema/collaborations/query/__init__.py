"""Query.collaborations and the Collaboration type: filters, pagination, related data."""
