#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 on 127.0.0.1 for the test suite (see INFRA.md).
# Usage: scripts/postgres.sh start|stop   (state lives in $NW_SERVICES_DIR, default /tmp/netwatcher-services)
# On start it prints the DSN to use as NETWATCHER_TEST_POSTGRES_URL.
set -euo pipefail

dir=${NW_SERVICES_DIR:-/tmp/netwatcher-services}/postgres
port=${NW_POSTGRES_PORT:-55432}
bin=/usr/lib/postgresql/15/bin

install() {
  if [ ! -x "$bin/initdb" ]; then
    echo "installing postgresql-15 …" >&2
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql-15 >/dev/null
  fi
}

case "${1:-}" in
start)
  install
  if [ -f "$dir/data/postmaster.pid" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    exit 0
  fi
  rm -rf "$dir"; mkdir -p "$dir"; chown postgres:postgres "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=300" start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  [ -d "$dir/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
