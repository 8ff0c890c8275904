"""Property-based fuzzing of /graphql over HTTP (issue 4).

Hypothesis feeds the real app (every middleware, the schema's limits, the resolvers and
the database) hostile strings, numbers past every bound, garbage global ids, deep
nesting, values of the wrong type and malformed bodies, anonymously and as ADMIN.
Whatever it sends, every response must:

1. have a status below 500;
2. carry no stack trace and no Python, SQLAlchemy or driver text;
3. carry only deliberate errors: a message of ours (with its code) or graphql-core's
   standard wording; never "Unexpected error." (that would be a bug nobody handled);
4. change no data unless it was an ADMIN mutation that succeeded: the rows of every
   table, their highest key and the versions of versioned ones are compared before and
   after (tests/database_state.py), so a refused mutation that left a row behind fails,
   even one reported as refused. An ADMIN read may add personal-data access-log events
   (APPI), nothing else.

Examples are derandomized (the same ones on every run and in CI). ``KYODO_FUZZ=deep``
draws new random examples, ten times as many, for a longer hunt.
"""
