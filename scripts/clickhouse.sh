#!/usr/bin/env bash
# Starts a throw-away ClickHouse on 127.0.0.1 for the test suite (see INFRA.md:
# Debian ships 18.16, which starts as root from a small config).
# Usage: scripts/clickhouse.sh start|stop   (state lives in $NW_SERVICES_DIR, default /tmp/netwatcher-services)
# On start it prints the URL to use as NETWATCHER_TEST_CLICKHOUSE_URL.
set -euo pipefail

dir=${NW_SERVICES_DIR:-/tmp/netwatcher-services}/clickhouse
port=${NW_CLICKHOUSE_PORT:-9000}
http_port=${NW_CLICKHOUSE_HTTP_PORT:-8123}
bin=/usr/sbin/clickhouse-server

install() {
  if [ ! -x "$bin" ]; then
    echo "installing clickhouse-server …" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server >/dev/null
  fi
}

ready() { [ "$(curl -fsS "http://127.0.0.1:$http_port/ping" 2>/dev/null)" = "Ok." ]; }

case "${1:-}" in
start)
  install
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && ready; then
    echo "clickhouse://127.0.0.1:$port/default"
    exit 0
  fi
  rm -rf "$dir"; mkdir -p "$dir/log" "$dir/data" "$dir/tmp" "$dir/user_files"
  cp /etc/clickhouse-server/users.xml "$dir/users.xml"
  # 18.16 refuses to start without mark_cache_size; 256 MiB is plenty here.
  cat >"$dir/config.xml" <<EOF
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/err.log</errorlog></logger>
  <http_port>$http_port</http_port><tcp_port>$port</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path><tmp_path>$dir/tmp/</tmp_path><user_files_path>$dir/user_files/</user_files_path>
  <users_config>$dir/users.xml</users_config><default_profile>default</default_profile>
  <default_database>default</default_database><timezone>UTC</timezone><mlock_executable>false</mlock_executable>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
EOF
  # Detached from this shell's stdout so `$(scripts/clickhouse.sh start)` returns.
  setsid "$bin" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 1 300); do
    ready && break
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "clickhouse-server exited; see $dir/log" >&2; tail -n 20 "$dir/log/err.log" >&2 || true; exit 1
    fi
    sleep 0.1
  done
  ready || { echo "clickhouse-server not ready after 30 s; see $dir/log" >&2; exit 1; }
  echo "clickhouse://127.0.0.1:$port/default"
  ;;
stop)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
