"""Live subscriptions over WebSocket (graphql-transport-ws) at /graphql, with a real
websocket client (the ``websockets`` library) against real servers on loopback.

Each backend gets a scratch database (migrated, demo data, tokens). Servers run
in-process (uvicorn on the test's event loop, so that the test can wait until its
subscriber is registered instead of sleeping); on PostgreSQL the mutation is made on a
second instance, a separate ``kyodo serve`` process: it reaches the subscriber only
through LISTEN/NOTIFY.
"""
