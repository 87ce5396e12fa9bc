#!/usr/bin/env bash
# A whole floor on this machine: PostgreSQL on loopback, a Prefect server
# (its own database in the same PostgreSQL), a process work pool with the
# read-pages deployment, and workers of that pool.
#
#   scripts/floor.sh up [DATABASE]       postgres + prefect server + pool + deployment; prints the env to use
#   scripts/floor.sh workers N DB_URL    starts N workers (worker-1 … worker-N) for that gbiz-review database
#   scripts/floor.sh stop-workers
#   scripts/floor.sh coordinator DB_URL  gbiz-review flows serve (process-batch every minute, daily export)
#   scripts/floor.sh down                stops what this script started (not PostgreSQL: scripts/postgres.sh stop)
#   scripts/floor.sh demo [APPS]         the timed run: one worker, then two, on the same batch
#
# State in $GBIZ_FLOOR_DIR (default ./floor-home): the shared gbiz-review home
# (originals store), PREFECT_HOME, logs and pid files. Prefect listens on
# 127.0.0.1:$GBIZ_FLOOR_PREFECT_PORT (default 4201), its database is
# $GBIZ_FLOOR_PREFECT_DB (default prefect). No network beyond loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FLOOR=$(realpath -m "${GBIZ_FLOOR_DIR:-floor-home}")
PREFECT_PORT=${GBIZ_FLOOR_PREFECT_PORT:-4201}
POOL=${GBIZ_FLOOR_POOL:-gbiz-floor}
PREFECT_DB=${GBIZ_FLOOR_PREFECT_DB:-prefect}  # the Prefect server's own database, in the same PostgreSQL
BIN=$ROOT/.venv/bin
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_HOME=$FLOOR/prefect
export PREFECT_API_URL=http://127.0.0.1:$PREFECT_PORT/api
export GBIZ_REVIEW_HOME=$FLOOR/home
mkdir -p "$FLOOR/run" "$FLOOR/logs" "$PREFECT_HOME" "$GBIZ_REVIEW_HOME"

started() { [[ -f $FLOOR/run/$1.pid ]] && kill -0 "$(cat "$FLOOR/run/$1.pid")" 2>/dev/null; }

launch() {  # name, command...: in its own process group, so that stopping it stops its children
  local name=$1; shift
  setsid "$@" >"$FLOOR/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$FLOOR/run/$name.pid"
}

stop() {
  local name=$1 pid
  [[ -f $FLOOR/run/$name.pid ]] || return 0
  pid=$(cat "$FLOOR/run/$name.pid")
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$FLOOR/run/$name.pid"
}

up() {
  bash scripts/postgres.sh start >/dev/null
  if ! started prefect-server; then
    PREFECT_SERVER_DATABASE_CONNECTION_URL=$(bash scripts/postgres.sh ensuredb "$PREFECT_DB" | sed 's/+psycopg/+asyncpg/') \
      launch prefect-server "$BIN/prefect" server start --host 127.0.0.1 --port "$PREFECT_PORT"
  fi
  for _ in $(seq 120); do
    "$BIN/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$PREFECT_API_URL/health" \
      >/dev/null 2>&1 && break
    started prefect-server || { cat "$FLOOR/logs/prefect-server.log" >&2; echo "floor: the Prefect server did not start" >&2; exit 1; }
    sleep 0.5
  done
  "$BIN/prefect" work-pool inspect "$POOL" >/dev/null 2>&1 || "$BIN/prefect" work-pool create "$POOL" --type process >/dev/null
  "$BIN/gbiz-review" flows deploy --pool "$POOL" >&2
  echo "export PREFECT_API_URL=$PREFECT_API_URL PREFECT_HOME=$PREFECT_HOME GBIZ_REVIEW_HOME=$GBIZ_REVIEW_HOME"
  echo "export GBIZ_REVIEW_DATABASE_URL=$(bash scripts/postgres.sh url "${1:-gbiz_review}")"
}

workers() {
  local count=$1 url=$2
  for i in $(seq "$count"); do
    started "worker-$i" && continue
    GBIZ_REVIEW_DATABASE_URL=$url GBIZ_REVIEW_WORKERS=1 GBIZ_REVIEW_WORKER_NAME=worker-$i PREFECT_WORKER_QUERY_SECONDS=1 \
      launch "worker-$i" "$BIN/prefect" worker start --pool "$POOL" --type process --name "worker-$i" --limit 1
  done
  # Ready when each has said so (it polls the pool from then on).
  for _ in $(seq 240); do
    local ready=0
    for i in $(seq "$count"); do grep -q "Worker 'worker-$i' started" "$FLOOR/logs/worker-$i.log" 2>/dev/null && ready=$((ready + 1)); done
    [[ $ready -ge $count ]] && return 0
    sleep 0.25
  done
  echo "floor: workers did not start (see $FLOOR/logs)" >&2; exit 1
}

stop_workers() { for f in "$FLOOR"/run/worker-*.pid; do [[ -e $f ]] && stop "$(basename "$f" .pid)"; done; return 0; }

demo() {
  local apps=${1:-24} scans=$FLOOR/scans
  up >/dev/null
  if [[ ! -f $scans/big/truth.json ]]; then
    "$BIN/gbiz-review" samples generate "$scans/big" --count "$apps" --seed 20261123 --received 2026-11-20 --force >/dev/null
    "$BIN/gbiz-review" samples generate "$scans/small" --count 4 --seed 4 --received 2026-11-20 --force >/dev/null
  fi
  for n in 1 2; do
    local url; url=$(bash scripts/postgres.sh createdb "floor_demo_$n" 2>/dev/null | tail -1)
    stop_workers
    workers "$n" "$url"
    # Two stations ingest at the same time.
    GBIZ_REVIEW_DATABASE_URL=$url "$BIN/gbiz-review" ingest "$scans/big" --station desk-1 --received 2026-11-20 --no-process >"$FLOOR/run/big.id" 2>"$FLOOR/logs/ingest-1.log" &
    local a=$!
    GBIZ_REVIEW_DATABASE_URL=$url "$BIN/gbiz-review" ingest "$scans/small" --station desk-2 --received 2026-11-20 --no-process >"$FLOOR/run/small.id" 2>"$FLOOR/logs/ingest-2.log" &
    wait $a $!
    local batch start end
    batch=$(cat "$FLOOR/run/big.id")
    start=$(date +%s.%N)
    GBIZ_REVIEW_DATABASE_URL=$url "$BIN/gbiz-review" flows process "$batch" --chunk-pages 8 --distribute read-pages/read-pages 2>"$FLOOR/logs/process-$n.log"
    end=$(date +%s.%N)
    GBIZ_REVIEW_DATABASE_URL=$url "$BIN/gbiz-review" flows process "$(cat "$FLOOR/run/small.id")" --chunk-pages 8 --distribute read-pages/read-pages 2>>"$FLOOR/logs/process-$n.log"
    GBIZ_REVIEW_DATABASE_URL=$url "$BIN/python" -m pipeline.floorcheck "$batch" "$start" "$end" "$n" | tee -a "$FLOOR/timings.txt"
  done
  stop_workers
}

case "${1:-}" in
  up) shift; up "$@" ;;
  workers) shift; workers "$@" ;;
  stop-workers) stop_workers ;;
  coordinator) shift; GBIZ_REVIEW_DATABASE_URL=$1 launch coordinator "$BIN/gbiz-review" flows serve; echo "coordinator started (log $FLOOR/logs/coordinator.log)" ;;
  down) stop_workers; stop coordinator; stop prefect-server ;;
  demo) shift; demo "$@" ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
