#!/bin/sh
# Migrate, load the demo data into an empty database, then replace this shell with the
# server (exec): the server is PID 1 and gets docker's SIGTERM. Several instances may
# start at once: both steps take a PostgreSQL advisory lock, so the first does the work
# and the rest find it done. KYODO_SEED=false skips the demo data.
set -eu
if [ "${1:-}" = "kyodo" ] && [ "${2:-}" = "serve" ]; then
    kyodo db upgrade
    if [ "${KYODO_SEED:-true}" != "false" ]; then
        kyodo seed --if-empty
    fi
fi
exec "$@"
