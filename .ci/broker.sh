#!/usr/bin/env bash
# Starts, restarts (keeping its data) or stops the broker the acceptance suite runs against.
# usage: .ci/broker.sh start|restart|stop STATE_DIR [AMQP_PORT MGMT_PORT]
# STATE_DIR holds the data dir, the pid file, the ports and the log. Used as BROKER_RESTART_CMD.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cmd=$1
state=$2
mkdir -p "$state/data"

stop() {
  [ -f "$state/pid" ] || return 0
  local pid
  pid=$(cat "$state/pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$state/pid"
}

start() {
  local port mgmt
  port=$(cat "$state/port")
  mgmt=$(cat "$state/mgmt-port")
  node "$repo/bin/warren" --port "$port" --management-port "$mgmt" --prometheus-port 0 --data-dir "$state/data" --log-level warn >> "$state/broker.log" 2>&1 &
  echo $! > "$state/pid"
  for _ in $(seq 1 100); do
    if node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>process.exit(0)).on("error",()=>process.exit(1))' "$port"; then
      return 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || { echo "broker exited; log:" >&2; tail -n 20 "$state/broker.log" >&2; return 1; }
    sleep 0.1
  done
  echo "broker did not listen on port $port within 10 s" >&2
  return 1
}

case "$cmd" in
  start) echo "${3:?amqp port}" > "$state/port"; echo "${4:?management port}" > "$state/mgmt-port"; start ;;
  restart) stop; start ;;
  stop) stop ;;
  *) echo "usage: $0 start|restart|stop STATE_DIR [AMQP_PORT MGMT_PORT]" >&2; exit 2 ;;
esac
