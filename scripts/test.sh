#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs and starts the services the
# tests need (PostgreSQL, ClickHouse), runs gofmt, go vet and every Go test
# against them, then stops the services.
# Needs root for apt-get and for starting PostgreSQL as its own user.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH

stop_services() {
  scripts/clickhouse.sh stop || true
  scripts/postgres.sh stop || true
}
trap stop_services EXIT

echo "== services"
NETWATCHER_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
export NETWATCHER_TEST_POSTGRES_URL
echo "PostgreSQL: $NETWATCHER_TEST_POSTGRES_URL"
NETWATCHER_TEST_CLICKHOUSE_URL=$(scripts/clickhouse.sh start)
export NETWATCHER_TEST_CLICKHOUSE_URL
echo "ClickHouse: $NETWATCHER_TEST_CLICKHOUSE_URL"

# Debian's IEEE registry, which the OUI tests read (they skip without it).
if [ ! -f /usr/share/ieee-data/oui.csv ]; then
  echo "installing ieee-data …"
  apt-get update -qq >/dev/null
  apt-get install -y -qq ieee-data >/dev/null
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -race -count=1 -timeout 20m ./... "$@"
