#!/usr/bin/env bash
# Runs the Stripe connector's tests against a fresh localstripe (https://pypi.org/project/localstripe/).
# Installs localstripe with pip when it is missing, starts it on PORT (default 8420), runs
# `swift test --filter PayHubConnectorsTests` with PAYHUB_LOCALSTRIPE_URL set, and stops it again.
# Usage: scripts/localstripe/test.sh [extra swift test arguments]
set -euo pipefail

PORT="${LOCALSTRIPE_PORT:-8420}"
URL="http://127.0.0.1:${PORT}"
LOG="$(mktemp -t localstripe.XXXXXX.log)"

if ! command -v localstripe >/dev/null 2>&1; then
    python3 -m pip install --quiet localstripe
fi

localstripe --port "$PORT" --from-scratch >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT

# Wait up to 15 s for it to answer (any HTTP status will do).
for _ in $(seq 1 150); do
    if curl -s -o /dev/null "$URL/v1/balance"; then break; fi
    if ! kill -0 "$PID" 2>/dev/null; then cat "$LOG" >&2; exit 1; fi
    sleep 0.1
done

PAYHUB_LOCALSTRIPE_URL="$URL" swift test --filter PayHubConnectorsTests "$@"
echo "localstripe log: $LOG"
