#!/usr/bin/env bash
# A throw-away PostgreSQL server for the history tests, from Debian's package, on loopback.
#
#   eval "$(scripts/pg-test-server.sh start)"      # prints export lines: EDGEBENCH_TEST_PG_URL, _USER, _PASSWORD, _DIR
#   scripts/pg-test-server.sh stop "$EDGEBENCH_TEST_PG_DIR"
#
# start: installs the postgresql package when missing (as root, with apt-get), initdb's a new data
# folder in a mktemp folder, and starts the server on 127.0.0.1 on a free port with its unix
# socket in that folder and password authentication (a random password for the user edgebench),
# so that the tests can also check that wrong credentials are refused. PostgreSQL refuses to run
# as root: as root the server runs as the package's `postgres` user, which owns the folder.
# stop: stops the server by the process id it recorded (TERM, then KILL after 30 s) and deletes
# the folder. Both print what they do on stderr; stdout carries only the export lines.
set -euo pipefail

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "pg-test-server: installing postgresql (apt-get)" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 || {
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
      d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    else
      echo "pg-test-server: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; install them (apt-get install postgresql)" >&2
      exit 2
    fi
  fi
  echo "$d"
}

# runs a command as the server's user: postgres when we are root, else ourselves
as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "pg-test-server: no free port found on 127.0.0.1 in 50 tries" >&2
  return 1
}

start() {
  local bin dir pw port attempt
  bin=$(pg_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/edgebench-pg.XXXXXX")
  chmod 700 "$dir"
  pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$pw" > "$dir/pwfile"
  mkdir "$dir/socket"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  as_server "$bin/initdb" -D "$dir/data" -U edgebench --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --no-sync \
    > "$dir/initdb.log" 2>&1 || { echo "pg-test-server: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
  rm -f "$dir/pwfile"
  for attempt in 1 2 3; do
    port=$(free_port)
    if as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket -c fsync=off" start >/dev/null 2>&1; then
      head -1 "$dir/data/postmaster.pid" > "$dir/pid"
      echo "pg-test-server: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, pid $(cat "$dir/pid"), data in $dir" >&2
      echo "export EDGEBENCH_TEST_PG_URL=jdbc:postgresql://127.0.0.1:$port/postgres"
      echo "export EDGEBENCH_TEST_PG_USER=edgebench"
      echo "export EDGEBENCH_TEST_PG_PASSWORD=$pw"
      echo "export EDGEBENCH_TEST_PG_DIR=$dir"
      return 0
    fi
    echo "pg-test-server: start on port $port failed (attempt $attempt), see $dir/server.log" >&2
  done
  tail -20 "$dir/server.log" >&2 || true
  rm -rf "$dir"
  exit 1
}

stop() {
  local dir=${1:?usage: pg-test-server.sh stop DIR}
  [ -d "$dir" ] || { echo "pg-test-server: $dir does not exist: nothing to stop" >&2; return 0; }
  case "$(basename "$dir")" in edgebench-pg.*) ;; *) echo "pg-test-server: $dir is not a folder this script made" >&2; exit 2;; esac
  if [ -f "$dir/pid" ]; then
    local pid i
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "pg-test-server: pid $pid still running after 30 s: KILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    echo "pg-test-server: stopped pid $pid" >&2
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start;;
  stop) stop "${2:-}";;
  *) echo "usage: pg-test-server.sh start | stop DIR" >&2; exit 2;;
esac
