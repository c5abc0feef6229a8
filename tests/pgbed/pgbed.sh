#!/usr/bin/env bash
# PostgreSQL test bed: a private PostgreSQL 15 server on a free loopback port,
# its data in a fresh temp directory. Never touches the system's clusters.
#
#   pgbed.sh start <dir>   start a server, print its connection string (also
#                          written to <dir>/connection); <dir>/pgbed.state
#                          remembers where the data lives
#   pgbed.sh stop <dir>    stop that server and remove its data; idempotent
#
# The superuser is `cachet` (password below, scram-sha-256 over TCP only), the
# database `cachet`; tests may create more databases. As root the server runs
# as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

readonly PG_BIN=${CACHET_PG_BIN:-/usr/lib/postgresql/15/bin}
readonly PG_USER=cachet
readonly PG_PASSWORD=cachet-pgbed-pw
readonly PG_DATABASE=cachet
readonly START_TIMEOUT=60  # seconds; initdb + start take two to five here
readonly RUN_AS=postgres

die() { echo "pgbed: $*" >&2; exit 1; }

# as_server <command...>: runs a command as the user the server runs as.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1
  [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb not found: install postgresql-15 (scripts/install-deps.sh)"
  mkdir -p "$dir"
  [ ! -e "$dir/pgbed.state" ] || die "$dir already has a running bed; stop it first"
  # Its own temp dir: the caller's may not be reachable by the postgres user.
  local root
  root=$(mktemp -d "${TMPDIR:-/tmp}/cachet-pgbed.XXXXXX")
  [ "$(id -u)" -ne 0 ] || chown "$RUN_AS:" "$root"
  printf 'root=%q\n' "$root" >"$dir/pgbed.state"
  # Whatever fails from here on, leave no server or data behind.
  STARTING_DIR=$dir
  trap 'stop "$STARTING_DIR"' EXIT

  printf '%s\n' "$PG_PASSWORD" >"$root/pwfile"
  [ "$(id -u)" -ne 0 ] || chown "$RUN_AS:" "$root/pwfile"
  as_server "$PG_BIN/initdb" -D "$root/data" -U "$PG_USER" --pwfile="$root/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync --locale=C.UTF-8 >"$root/initdb.log" 2>&1 ||
    die "initdb failed: $(cat "$root/initdb.log")"
  rm -f "$root/pwfile"

  local attempt port
  for attempt in 1 2 3; do
    port=$(free_port)
    # No fsync: a test bed's data need not survive a crash of the machine.
    as_server "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/server.log" -W \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=off -c max_connections=200" start \
      >/dev/null || die "pg_ctl start failed: $(cat "$root/server.log")"
    if wait_ready "$root" "$port"; then break; fi
    # Most likely the port was taken meanwhile: try a fresh one.
    as_server "$PG_BIN/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1 || true
    [ "$attempt" -lt 3 ] || die "server did not come up: $(tail -n 20 "$root/server.log")"
  done
  as_server "$PG_BIN/createdb" -h "$root" -p "$port" -U "$PG_USER" "$PG_DATABASE"
  local url="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DATABASE"
  printf 'port=%q\n' "$port" >>"$dir/pgbed.state"
  printf '%s\n' "$url" >"$dir/connection"
  trap - EXIT
  echo "$url"
}

# wait_ready <root> <port>: polls pg_isready until the deadline or the server's exit.
wait_ready() {
  local root=$1 port=$2 deadline=$((SECONDS + START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; do
    # The postmaster logs this when it exits (e.g. the port was taken meanwhile).
    ! grep -q "database system is shut down" "$root/server.log" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

stop() {
  local dir=$1 root=
  [ -f "$dir/pgbed.state" ] || return 0
  # shellcheck disable=SC1091
  root=$(. "$dir/pgbed.state"; echo "$root")
  case "$root" in
    */cachet-pgbed.*) ;;
    *) die "unexpected data directory in $dir/pgbed.state: $root" ;;
  esac
  if [ -f "$root/data/postmaster.pid" ]; then
    as_server "$PG_BIN/pg_ctl" -D "$root/data" -m fast stop >/dev/null ||
      die "pg_ctl stop failed"
  fi
  rm -rf "$root"
  rm -f "$dir/pgbed.state" "$dir/connection"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || die "usage: pgbed.sh start <dir>"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: pgbed.sh stop <dir>"; stop "$2" ;;
  *) die "usage: pgbed.sh start|stop <dir>" ;;
esac
