#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the store's tests, loopback only, idempotently.
#
#   source-free use:  eval "$(bash .ci/pg-start.sh)"   (prints `export NETNYM_TEST_PG_URL=...; export NETNYM_PG_DATA=...`)
#   stop:             bash .ci/pg-start.sh stop
#
# Env: NETNYM_PG_PORT (default 55432), NETNYM_PG_DATA (default /tmp/netnym-pg-$NETNYM_PG_PORT).
# Installs the Debian `postgresql` package only when `initdb` is missing. PostgreSQL refuses to
# run as root, so the cluster runs as the `postgres` user (created by the package).
set -euo pipefail

PORT="${NETNYM_PG_PORT:-55432}"
DATA="${NETNYM_PG_DATA:-/tmp/netnym-pg-$PORT}"
URL="host=127.0.0.1 port=$PORT user=netnym dbname=netnym"

log() { printf 'pg-start: %s\n' "$*" >&2; }

find_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return 0
    fi
    return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
    log "initdb not found: installing postgresql with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
fi

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/bash -c "$*"
    else
        bash -c "$*"
    fi
}

if [ "${1:-start}" = stop ]; then
    if [ -f "$DATA/PG_VERSION" ]; then
        as_pg "'$BIN/pg_ctl' -D '$DATA' -m fast -w stop" >&2 || true
    fi
    exit 0
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    chmod 700 "$DATA"
    as_pg "'$BIN/initdb' -D '$DATA' -A trust -U netnym >/dev/null"
fi

if as_pg "'$BIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
    log "already running on 127.0.0.1:$PORT"
else
    as_pg "'$BIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -o \"-k '$DATA' -h 127.0.0.1 -p $PORT\" -w -t 60 start" >&2
fi

# Create the database unless it exists.
if ! as_pg "'$BIN/psql' -h 127.0.0.1 -p $PORT -U netnym -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='netnym'\"" | grep -q 1; then
    as_pg "'$BIN/createdb' -h 127.0.0.1 -p $PORT -U netnym netnym"
fi
log "ready: $URL"
printf "export NETNYM_TEST_PG_URL='%s'\nexport NETNYM_PG_DATA='%s'\n" "$URL" "$DATA"
