#!/usr/bin/env bash
# Runs a whole-system benchmark against a throwaway PostgreSQL (or $LAYAN_BENCH_POSTGRES, an admin
# connection string): ./bench/run.sh routing
set -euo pipefail
cd "$(dirname "$0")/.."
cleanup() { :; }
if [ -z "${LAYAN_BENCH_POSTGRES:-}" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$BIN" ] || { echo "PostgreSQL binaries not found: run ./test.sh once (it installs them) or set LAYAN_BENCH_POSTGRES" >&2; exit 2; }
  DIR=$(mktemp -d /tmp/layan-bench-pg.XXXXXX)
  PORT=$((20000 + RANDOM % 20000))
  AS=()
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DIR"; AS=(runuser -u postgres --); fi
  "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust >/dev/null
  # The same settings as the test server: durability is not what is measured, and both the
  # baseline and the system run on the same server in the same run.
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  cleanup() { "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" stop -m fast >/dev/null 2>&1 || true; rm -rf "$DIR"; }
  trap cleanup EXIT
  export LAYAN_BENCH_POSTGRES="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
fi
dotnet run -c Release --project bench/Layan.Bench -- "$@"
