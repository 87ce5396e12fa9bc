#!/usr/bin/env bash
# A private PostgreSQL server on loopback for a floor demo or the tests:
#   scripts/postgres.sh start            installs Debian's postgresql if missing, starts the cluster
#   scripts/postgres.sh createdb NAME    (re)creates an empty database, prints its URL
#   scripts/postgres.sh ensuredb NAME    creates it when missing, prints its URL
#   scripts/postgres.sh dropdb NAME
#   scripts/postgres.sh url [NAME]       the SQLAlchemy URL (default database gbiz_review)
#   scripts/postgres.sh stop
# Listens on 127.0.0.1:$GBIZ_REVIEW_PG_PORT (default 55432) only, data in
# $GBIZ_REVIEW_PG_DIR (default /tmp/gbiz-review-pg-PORT). As root it runs as
# the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${GBIZ_REVIEW_PG_PORT:-55432}
DATA=${GBIZ_REVIEW_PG_DIR:-/tmp/gbiz-review-pg-$PORT}
USER_NAME=gbiz
PASSWORD=${GBIZ_REVIEW_PG_PASSWORD:-gbiz-review}

install_if_missing() {
  if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    echo "postgres: installing postgresql" >&2
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
}

bin_dir() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() { echo "postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/${1:-gbiz_review}"; }

psql_cmd() { PGPASSWORD=$PASSWORD "$(bin_dir)/psql" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

start() {
  install_if_missing
  local bin; bin=$(bin_dir)
  if [[ ! -f $DATA/PG_VERSION ]]; then
    mkdir -p "$DATA"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DATA"
    chmod 700 "$DATA"
    local pwfile; pwfile=$(mktemp); echo "$PASSWORD" > "$pwfile"; chmod 644 "$pwfile"
    as_owner "$bin/initdb" -D "$DATA" -U "$USER_NAME" --pwfile="$pwfile" --auth-local=scram-sha-256 \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c max_connections=200 -c fsync=on" start >/dev/null
  fi
  local db
  for db in gbiz_review prefect; do
    [[ $(psql_cmd -c "SELECT 1 FROM pg_database WHERE datname='$db'") == 1 ]] || psql_cmd -c "CREATE DATABASE $db"
  done
  url
}

case "${1:-start}" in
  start) start ;;
  createdb)
    name=${2:?usage: postgres.sh createdb NAME}
    start >/dev/null
    psql_cmd -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
    url "$name" ;;
  ensuredb)
    name=${2:?usage: postgres.sh ensuredb NAME}
    start >/dev/null
    [[ $(psql_cmd -c "SELECT 1 FROM pg_database WHERE datname='$name'") == 1 ]] || psql_cmd -c "CREATE DATABASE $name"
    url "$name" ;;
  dropdb) psql_cmd -c "DROP DATABASE IF EXISTS ${2:?usage: postgres.sh dropdb NAME} WITH (FORCE)" ;;
  url) url "${2:-gbiz_review}" ;;
  stop) as_owner "$(bin_dir)/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true ;;
  *) echo "usage: postgres.sh start|createdb NAME|ensuredb NAME|dropdb NAME|url [NAME]|stop" >&2; exit 2 ;;
esac
