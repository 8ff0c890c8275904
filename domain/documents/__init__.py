"""Trusted (persisted) documents: GraphQL operations registered ahead, sent by id."""
