#!/usr/bin/env bash
# Property-based tests of the HTTP API: runs schemathesis (https://schemathesis.readthedocs.io) against a running
# PayHub with the OpenAPI document of this repository, Sources/PayHubServer/Resources/openapi.json, so that the
# server and the document are checked against each other: no 5xx, only documented statuses, content types and
# headers, and every response body valid against its schema.
#
# Usage:
#   PAYHUB_URL=http://127.0.0.1:8080 PAYHUB_SECRET_KEY=sk_test_... scripts/schemathesis.sh [schemathesis run options]
#
# PAYHUB_SECRET_KEY must be a test-mode secret key of a merchant whose only provider is the sandbox: the demo
# merchant of `payhub serve` (its keys are in <data dir>/demo-merchant.json, `secret_key_test`). The run creates
# payment intents, payments, refunds and webhook endpoints in that mode. Start the server with a high rate limit,
# e.g. PAYHUB_API_RATE_LIMIT=100000 and PAYHUB_AUTH_FAILURE_LIMIT=100000 (its invalid-credential checks are failed
# authentications), or the run mostly sees 429s, and with PAYHUB_WEBHOOK_ALLOW_PRIVATE=true, or the loopback receiver
# URLs below are refused.
# Requests go to PAYHUB_URL only; webhook endpoint URLs the run creates are rewritten to a closed port on
# 127.0.0.1 so that the server's deliveries never leave the machine.
#
# Optional environment:
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 25; a run takes about a minute)
#   SCHEMATHESIS_SEED          seed, to reproduce a run (default: random; the run prints the one it used)
#   SCHEMATHESIS_CHECKS        comma-separated checks (default: see CHECKS below)
#   SCHEMATHESIS_REPORT_DIR    where the JUnit report is written (default: a temporary directory)
# Extra arguments go to `schemathesis run`, e.g. `--include-tag 'Payment intents'` or `--phases fuzzing`.
#
# Exit status: 0 when every check passed, non-zero otherwise. The last line printed is
# `schemathesis: N passed, M failed`, counting API operations and the stateful (linked operations) suite.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SPEC="$ROOT/Sources/PayHubServer/Resources/openapi.json"

# Stops before any test ran, still with the summary line.
abort() {
    echo "$1" >&2
    echo "schemathesis: 0 passed, 1 failed"
    exit "${2:-1}"
}

if [[ -z "${PAYHUB_URL:-}" || -z "${PAYHUB_SECRET_KEY:-}" ]]; then
    abort "usage: PAYHUB_URL=http://127.0.0.1:8080 PAYHUB_SECRET_KEY=sk_test_... $0 [schemathesis run options]" 2
fi
if [[ "$PAYHUB_SECRET_KEY" != sk_test_* ]]; then
    abort "PAYHUB_SECRET_KEY must be a test-mode secret key (sk_test_...)" 2
fi
PAYHUB_URL="${PAYHUB_URL%/}"
export PAYHUB_URL PAYHUB_SECRET_KEY

# Checks that must pass. Not used by default: positive_data_acceptance (the API refuses some schema-valid requests
# for business reasons with 400: the webhook endpoint limit, an already refunded payment, `starting_after` with
# `ending_before`, an unknown cursor).
CHECKS="${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,missing_required_header,ignored_auth,use_after_free,ensure_resource_availability,unsupported_method,negative_data_rejection}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"

if ! python3 -c 'import sys, schemathesis; sys.exit(0 if int(schemathesis.__version__.split(".")[0]) == 4 else 1)' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4.1,<5' || abort "cannot install schemathesis"
fi

WORK="$(mktemp -d -t payhub-schemathesis.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
REPORT_DIR="${SCHEMATHESIS_REPORT_DIR:-$WORK/report}"
mkdir -p "$REPORT_DIR"
REPORT_DIR="$(cd "$REPORT_DIR" && pwd)"
rm -f "$REPORT_DIR/schemathesis-junit.xml"

# Wait up to 30 s for the server.
for _ in $(seq 1 60); do
    if curl -fs -o /dev/null "$PAYHUB_URL/healthz"; then break; fi
    sleep 0.5
done
curl -fsS -o /dev/null "$PAYHUB_URL/healthz" || abort "PayHub is not answering at $PAYHUB_URL/healthz"

# Hooks: unique Idempotency-Keys (schemathesis draws the same short keys again and again, which the API rightly
# refuses when the parameters differ), and webhook endpoints that point at a closed port on loopback, never at a
# generated host; attempts stay with the sandbox provider.
cat >"$WORK/hooks.py" <<'PY'
import uuid

import schemathesis

LOOPBACK_RECEIVER = "http://127.0.0.1:9/payhub-schemathesis"


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        value = headers[name]
        if name.lower() == "idempotency-key" and isinstance(value, str) and 1 <= len(value) <= 255:
            suffix = uuid.uuid4().hex  # keeps the generated length, so length limits are still tested
            headers[name] = (value[: len(value) - len(suffix)] + suffix) if len(value) > len(suffix) else f"{value}-{suffix}"[:255]
    body = case.body
    if not isinstance(body, dict):
        return
    path = case.operation.path
    if path == "/v1/webhook_endpoints" and isinstance(body.get("url"), str) and body["url"].lower().startswith("http"):
        body["url"] = LOOPBACK_RECEIVER
    if path.endswith("/payments") and body.get("provider") not in (None, "sandbox") and isinstance(body.get("provider"), str):
        body["provider"] = "sandbox"
PY

# Fixtures for operations whose objects the document's links cannot produce in a short run: an intent waiting
# for capture, a payment waiting for an OTP, a refund, an event, the sandbox provider account and a 3-D Secure
# reference. Written into a schemathesis.toml with the authentication.
if ! python3 - "$WORK/schemathesis.toml" "$WORK/hooks.py" <<'PY'
import json
import os
import sys
import urllib.error
import urllib.request

base, key = os.environ["PAYHUB_URL"], os.environ["PAYHUB_SECRET_KEY"]


def call(method, path, body=None):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"fixture request {method} {path} failed: HTTP {error.code} {error.read()[:500]!r}")


def intent(**fields):
    return call("POST", "/v1/payment_intents", {"amount": 1250, "currency": "EUR", **fields})


def pay(intent_id, method):
    return call("POST", f"/v1/payment_intents/{intent_id}/payments", {"payment_method": method})


capturable = intent(capture_method="manual")["id"]
authorised = pay(capturable, {"type": "card", "token": "tok_visa"})
otp_intent = intent(currency="XOF", amount=5000)["id"]
otp_payment = pay(otp_intent, {"type": "mobile_money", "msisdn": "+2250701020301", "country": "CI"})["payments"][-1]["id"]
paid = intent()["id"]
pay(paid, {"type": "card", "token": "tok_visa"})
refund = call("POST", "/v1/refunds", {"payment_intent": paid, "amount": 100})["id"]
event = call("GET", f"/v1/events?object_id={paid}&limit=1")["data"][0]["id"]
threeds = intent()["id"]
reference = pay(threeds, {"type": "card", "token": "tok_threeds"})["payments"][-1]["provider_reference"]
account = authorised["payments"][-1]["provider_account"]

operations = {
    "capturePaymentIntent": {"path.id": capturable},
    "authenticatePayment": {"path.id": otp_intent, "path.payment_id": otp_payment},
    "getRefund": {"path.id": refund},
    "getEvent": {"path.id": event},
    "listEventDeliveries": {"path.id": event},
    "redeliverEvent": {"path.id": event},
    "receiveProviderWebhook": {"path.provider": "sandbox", "path.account": account},
    "showSandboxAuthenticationPage": {"path.reference": reference},
    "decideSandboxAuthentication": {"path.reference": reference},
}
lines = [
    f"hooks = {json.dumps(sys.argv[2])}",
    "",
    "[auth.openapi.secretKey]",
    'bearer = "${PAYHUB_SECRET_KEY}"',
    "",
    # An oversized body (a generated string past maxLength can be megabytes) is rightly refused with 413 before
    # it is parsed; every operation that takes a body documents it.
    "[checks.negative_data_rejection]",
    'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]',
]
for operation_id, parameters in operations.items():
    lines += ["", "[[operations]]", f"include-operation-id = {json.dumps(operation_id)}", "[operations.parameters]"]
    lines += [f"{json.dumps(name)} = {json.dumps(value)}" for name, value in parameters.items()]
with open(sys.argv[1], "w") as config:
    config.write("\n".join(lines) + "\n")
PY
then
    abort "could not create the fixtures (is this a test-mode key of a merchant with the sandbox provider?)"
fi

ARGS=(
    run "$SPEC"
    --url "$PAYHUB_URL"
    --checks "$CHECKS"
    --max-examples "$MAX_EXAMPLES"
    --max-redirects 0
    --request-timeout 30
    --generation-database none
    --no-color
    --report junit --report-junit-path "$REPORT_DIR/schemathesis-junit.xml"
)
if [[ -n "${SCHEMATHESIS_SEED:-}" ]]; then ARGS+=(--seed "$SCHEMATHESIS_SEED"); fi

status=0
cd "$WORK"  # schemathesis keeps a cache in the working directory
python3 -m schemathesis.cli --config-file "$WORK/schemathesis.toml" "${ARGS[@]}" "$@" || status=$?

summary="$(python3 - "$REPORT_DIR/schemathesis-junit.xml" <<'PY' || true
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    sys.exit(1)
passed = failed = 0
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(f"{passed} passed, {failed} failed")
PY
)"
if [[ -z "$summary" ]]; then
    summary="0 passed, 1 failed"
    [[ $status -ne 0 ]] || status=1
fi
if [[ $status -ne 0 && "$summary" == *", 0 failed" ]]; then
    # schemathesis failed without a failing operation (an error outside the tests, e.g. in stateful testing)
    summary="${summary%, 0 failed}, 1 failed"
fi
echo "schemathesis: $summary"
exit "$status"
