"""API tokens: who may call the API, in which role."""
