#!/usr/bin/env bash
# Builds release binaries, starts PayHub (SQLite, or PostgreSQL when DATABASE_URL is set) and drives complete
# payments with payhub-bench at each concurrency given (default: 1 8 32 64), then, at WEBHOOK_CONCURRENCY (default
# 32), the same load without and with a webhook endpoint that receives every event (payhub-bench --webhook), back
# to back on one server so the two figures compare, and the hosted checkout page rendered at CHECKOUT_CONCURRENCY
# (default 32; payhub-bench checkout-page). Prints the figures for the README.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product payhub >/dev/null
swift build -c release --product payhub-bench >/dev/null
BIN=.build/release
DATA=$(mktemp -d)
PORT=${PORT:-8188}
# The bench's webhook receiver listens on loopback, which only an operator's opt-in allows.
export PAYHUB_API_RATE_LIMIT=1000000 PAYHUB_CHECKOUT_RATE_LIMIT=1000000 LOG_LEVEL=warning PAYHUB_WORKERS=on PAYHUB_WEBHOOK_ALLOW_PRIVATE=true
if [ -n "${DATABASE_URL:-}" ]; then
    export PAYHUB_MASTER_KEY=${PAYHUB_MASTER_KEY:-$(head -c 32 /dev/urandom | base64)}
    "$BIN/payhub" migrate >/dev/null
    KEY=$("$BIN/payhub" merchant create --name Bench | python3 -c "import json,sys; print(json.load(sys.stdin)['secret_key_test'])")
fi
"$BIN/payhub" serve --data-dir "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
if [ -z "${KEY:-}" ]; then
    KEY=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['secret_key_test'])" "$DATA/demo-merchant.json")
fi
# Waits until the work a run left behind (invoices to issue and render, webhooks owed) is done, so that the next
# run starts on an idle server and is not charged for it.
settle() {
    for _ in $(seq 1 600); do
        local owed
        owed=$("$BIN/payhub" jobs --data-dir "$DATA" --status pending --json --limit 10000 2>/dev/null | python3 -c "
import json, sys
print(sum(1 for job in json.load(sys.stdin) if job['kind'].startswith(('invoice.', 'webhook.'))))" || echo 0)
        [ "$owed" = "0" ] && return
        sleep 0.5
    done
    echo "warning: background jobs still pending after 5 minutes" >&2
}
echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1024/1024)" GiB"}'), $(uname -m); database: $([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo "SQLite (synchronous=${PAYHUB_SQLITE_SYNCHRONOUS:-FULL})")"
for concurrency in ${CONCURRENCY:-1 8 32 64}; do
    settle
    "$BIN/payhub-bench" --url "http://127.0.0.1:$PORT" --key "$KEY" --concurrency "$concurrency" \
        --duration "${DURATION:-15}" --server-pid "$SERVER"
done
if [ -n "${CHECKOUT_CONCURRENCY-32}" ]; then
    settle
    "$BIN/payhub-bench" checkout-page --url "http://127.0.0.1:$PORT" --key "$KEY" --concurrency "${CHECKOUT_CONCURRENCY:-32}" \
        --duration "${DURATION:-15}" --server-pid "$SERVER"
fi
if [ -n "${WEBHOOK_CONCURRENCY-32}" ]; then
    for flag in "" --webhook; do
        settle
        "$BIN/payhub-bench" --url "http://127.0.0.1:$PORT" --key "$KEY" --concurrency "${WEBHOOK_CONCURRENCY:-32}" \
            --duration "${DURATION:-15}" --server-pid "$SERVER" $flag
    done
fi
