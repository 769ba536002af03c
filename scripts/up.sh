#!/usr/bin/env bash
# `npm start`: the whole pipeline on this machine, fed by the simulator.
# Builds kcost, starts the local Kafka broker (unless KAFKA_BROKERS is set),
# then runs `kcost up --simulate`, which creates the topics and the database
# schema (DATABASE_URL, else the local PostgreSQL's `kcost` database, else an
# embedded PostgreSQL that kcost up starts and stops itself).
# Ctrl-C stops every role cleanly, then the broker this script started.
# Extra arguments go to `kcost up` (e.g. npm start -- --nodes 50 --pods 1000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[[ -d node_modules ]] || npm ci --no-audit --no-fund
echo "up.sh: building kcost" >&2
npm run --silent build

brokers=${KAFKA_BROKERS:-}
started_kafka=
if [[ -z $brokers ]]; then
  if ! bash scripts/kafka.sh status >/dev/null 2>&1; then started_kafka=1; fi
  brokers=$(bash scripts/kafka.sh start)
fi
stop_kafka() { if [[ -n $started_kafka ]]; then bash scripts/kafka.sh stop; fi; }
trap stop_kafka EXIT

node bin/kcost.js up --simulate --brokers "$brokers" "$@"
