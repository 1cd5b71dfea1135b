import Foundation
import PayHubCore
import PayHubDocuments
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Invoices and credit notes: issued by a job enqueued with the success, numbered without gaps, never changed,
/// served as stored renderings and as a streamed zip.
final class InvoiceTests: XCTestCase {
    static var italianSettings: [String: Any] { [
        "legal_name": "Rossi Libri S.r.l.",
        "address": ["lines": ["Via Roma 1"], "city": "Milano", "postal_code": "20121", "region": "MI", "country": "it"],
        "vat_id": "IT01234567890", "email": "billing@rossi.example", "number_prefix": "F",
        "default_vat_rate": ["basis_points": 2200, "category": "S"], "time_zone": "Europe/Rome",
        "electronic_address": ["scheme": "0211", "identifier": "IT01234567890"], "fiscal_regime": "RF01", "default_locale": "it",
    ] }

    private func issueDue(_ hub: TestHub) async throws {
        try await hub.scheduler.runDue([.invoiceIssue, .invoiceRender], limit: 10_000)
    }

    private func invoice(of intent: String, _ hub: TestHub) async throws -> [String: Any] {
        let list = try await hub.request(.GET, "/v1/invoices?payment_intent=\(intent)")
        XCTAssertEqual(list.status, .ok, list.text)
        let data = try XCTUnwrap(list["data"] as? [[String: Any]])
        XCTAssertEqual(data.count, 1, "exactly one invoice per payment intent")
        return try XCTUnwrap(data.first)
    }

    private var year: Int { CalendarDate(Date(timeIntervalSince1970: 1_800_000_000), in: TimeZone(identifier: "Europe/Rome")!).year }

    func testDirectPaymentGetsOneInvoiceWithItsVATIncludedAndAStoredPDF() async throws {
        try await withEachDatabase { hub in
            let put = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            XCTAssertEqual(put.status, .ok, put.text)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: [
                "amount": 1220, "currency": "EUR", "description": "Annual subscription",
                "customer": ["name": "Łukasz Ñúñez-Groß", "email": "lukasz@example.com", "locale": "de"],
            ])
            let paid = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            let none = try await hub.request(.GET, "/v1/invoices?payment_intent=\(intent.id)")
            XCTAssertEqual((none["data"] as? [Any])?.count, 0, "the payment's response does not wait for its invoice")
            try await issueDue(hub)
            try await issueDue(hub)

            let invoice = try await invoice(of: intent.id, hub)
            XCTAssertEqual(invoice["object"] as? String, "invoice")
            XCTAssertEqual(invoice["status"] as? String, "finalized")
            XCTAssertEqual(invoice["number"] as? String, "F-\(year)-000001")
            XCTAssertEqual(invoice["currency"] as? String, "EUR")
            XCTAssertEqual(invoice["locale"] as? String, "de")
            XCTAssertEqual((invoice["seller"] as? [String: Any])?["vat_id"] as? String, "IT01234567890")
            XCTAssertEqual((invoice["buyer"] as? [String: Any])?["name"] as? String, "Łukasz Ñúñez-Groß")
            let lines = try XCTUnwrap(invoice["lines"] as? [[String: Any]])
            XCTAssertEqual(lines.count, 1)
            XCTAssertEqual(lines[0]["description"] as? String, "Annual subscription")
            XCTAssertEqual(lines[0]["amount_includes_vat"] as? Bool, true)
            XCTAssertEqual([lines[0]["net"], lines[0]["vat"], lines[0]["gross"]].compactMap { $0 as? Int }, [1000, 220, 1220])
            XCTAssertEqual(invoice["amount_total"] as? Int, 1220)
            XCTAssertEqual(invoice["amount_vat"] as? Int, 220)
            let payment = try XCTUnwrap(invoice["payment"] as? [String: Any])
            XCTAssertEqual(payment["transaction"] as? String, intent.id)
            XCTAssertEqual(payment["method"] as? String, "card")
            XCTAssertEqual(payment["provider"] as? String, "sandbox")
            XCTAssertNotNil(payment["provider_reference"] as? String)

            let id = try XCTUnwrap(invoice["id"] as? String)
            XCTAssertTrue(id.hasPrefix("in_"))
            let pdf = try await hub.request(.GET, "/v1/invoices/\(id)/pdf")
            XCTAssertEqual(pdf.status, .ok)
            XCTAssertEqual(pdf.headers.first(name: .contentType), "application/pdf")
            XCTAssertEqual(pdf.headers.first(name: .contentDisposition), "attachment; filename=\"F-\(year)-000001.pdf\"")
            XCTAssertEqual(pdf.headers.first(name: .eTag), "\"\(DocumentDigest.sha256(Array(pdf.text.utf8)))\"")
            XCTAssertTrue(pdf.text.contains("buyer Łukasz Ñúñez-Groß"))
            let cached = try await hub.request(.GET, "/v1/invoices/\(id)/pdf", headers: [("If-None-Match", pdf.headers.first(name: .eTag) ?? "")])
            XCTAssertEqual(cached.status, .notModified)
            let ubl = try await hub.request(.GET, "/v1/invoices/\(id)/ubl")
            XCTAssertEqual(ubl.headers.first(name: .contentType), "application/xml")
            XCTAssertEqual(ubl.headers.first(name: .contentDisposition), "attachment; filename=\"F-\(year)-000001.ubl.xml\"")

            let rows = try await (hub.app.db as! any SQLDatabase).raw("SELECT format, sha256 FROM invoice_documents WHERE invoice_id = \(bind: id)").all()
            XCTAssertEqual(Set(try rows.map { try $0.decode(column: "format", as: String.self) }), ["pdf", "ubl"], "each rendering stored once")

            let events = try await hub.request(.GET, "/v1/events?type=invoice.finalized")
            let event = try XCTUnwrap((events["data"] as? [[String: Any]])?.first)
            XCTAssertEqual(((event["data"] as? [String: Any])?["object"] as? [String: Any])?["number"] as? String, "F-\(year)-000001")
        }
    }

    func testTheBuyersAddressAndTaxIDComeFromTheCustomer() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            let customer: [String: Any] = [
                "name": "Ada Rossi", "email": "ada@example.com", "tax_id": "RSSDAA85T50A562S",
                "address": ["line1": "Via Roma 7", "line2": "Scala B", "city": "Torino", "postal_code": "10121", "state": "TO", "country": "IT"],
            ]
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1220, "currency": "EUR", "customer": customer])
            XCTAssertEqual(intent.status, .created, intent.text)
            XCTAssertEqual(((intent["customer"] as? [String: Any])?["address"] as? [String: Any])?["city"] as? String, "Torino")
            _ = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            try await issueDue(hub)
            try await issueDue(hub)
            let issued = try await invoice(of: intent.id, hub)
            let buyer = try XCTUnwrap(issued["buyer"] as? [String: Any])
            XCTAssertEqual(buyer["tax_code"] as? String, "RSSDAA85T50A562S", "a national code is the buyer's tax code")
            XCTAssertTrue(buyer["vat_id"] is NSNull)
            let address = try XCTUnwrap(buyer["address"] as? [String: Any])
            XCTAssertEqual(address["lines"] as? [String], ["Via Roma 7", "Scala B"])
            XCTAssertEqual(address["postal_code"] as? String, "10121")
            XCTAssertEqual(address["region"] as? String, "TO")
            XCTAssertEqual(address["country"] as? String, "IT")

            let business = try await hub.request(.POST, "/v1/payment_intents", json: [
                "amount": 500, "currency": "EUR", "customer": ["name": "Rossi S.p.A.", "tax_id": "IT09876543210", "address": ["country": "IT", "city": "Roma"]],
            ])
            _ = try await hub.request(.POST, "/v1/payment_intents/\(business.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            try await issueDue(hub)
            try await issueDue(hub)
            let issuedToCompany = try await invoice(of: business.id, hub)
            let company = try XCTUnwrap(issuedToCompany["buyer"] as? [String: Any])
            XCTAssertEqual(company["vat_id"] as? String, "IT09876543210", "a tax id with a country prefix is a VAT id")

            for (bad, param) in [
                (["tax_id": "IT 123"], "customer.tax_id"), (["address": ["country": "Italy"]], "customer.address.country"),
                (["address": ["country": "IT", "city": "Tor\u{0007}ino"]], "customer.address.city"),
                (["address": ["country": "IT", "postal_code": "<b>"]], "customer.address.postal_code"),
                (["address": ["city": "Roma"]], "customer.address.country"), (["address": ["country": "IT", "street": "x"]], "customer.address.street"),
            ] as [([String: Any], String)] {
                let refused = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 500, "currency": "EUR", "customer": bad])
                XCTAssertEqual(refused.status, .badRequest, refused.text)
                XCTAssertEqual(refused.errorParam, param, refused.text)
            }
        }
    }

    func testAFormatThatCannotExpressTheInvoiceIsRefusedNaming422TheField() async throws {
        try await withEachDatabase { hub in
            let paid = try await hub.pay(amount: 500)
            try await issueDue(hub)
            let invoice = try await invoice(of: paid.id, hub)
            XCTAssertEqual(invoice["number"] as? String, "\(CalendarDate(hub.clock.now(), in: TimeZone(identifier: "UTC")!).year)-000001",
                           "no prefix by default")
            XCTAssertEqual((invoice["seller"] as? [String: Any])?["name"] as? String, "Test Shop", "without settings: the merchant's name")
            let refused = try await hub.request(.GET, "/v1/invoices/\(invoice["id"] as? String ?? "")/fatturapa")
            XCTAssertEqual(refused.status, .unprocessableEntity, refused.text)
            XCTAssertEqual(refused.errorCode, "invoice_export_refused")
            XCTAssertEqual(refused.errorParam, "seller.vat_id")
        }
    }

    func testCheckoutLineItemsBecomeInvoiceLinesWithVATOnTop() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            let session = try await hub.request(.POST, "/v1/checkout_sessions", json: [
                "currency": "EUR",
                "line_items": [
                    ["name": "Book", "quantity": 2, "unit_amount": 1250, "tax_rate": 400],
                    ["name": "Pen", "quantity": 3, "unit_amount": 199, "tax_rate": 2200],
                    ["name": "Sticker", "quantity": 1, "unit_amount": 50],
                ],
                "customer": ["name": "Ada", "email": "ada@example.com"],
            ])
            XCTAssertEqual(session.status, .created, session.text)
            let intent = try XCTUnwrap(session["payment_intent"] as? String)
            let paid = try await hub.request(
                .POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            try await issueDue(hub)
            let invoice = try await invoice(of: intent, hub)
            let lines = try XCTUnwrap(invoice["lines"] as? [[String: Any]])
            XCTAssertEqual(lines.compactMap { $0["description"] as? String }, ["Book", "Pen", "Sticker"])
            XCTAssertEqual(lines.compactMap { $0["amount_includes_vat"] as? Bool }, [false, false, false])
            XCTAssertEqual(lines.compactMap { $0["quantity"] as? Int }, [2, 3, 1])
            XCTAssertEqual(lines.compactMap { $0["net"] as? Int }, [2500, 597, 50])
            XCTAssertEqual(lines.compactMap { $0["vat"] as? Int }, [100, 131, 0])
            XCTAssertEqual(lines.compactMap { ($0["vat_rate"] as? [String: Any])?["category"] as? String }, ["S", "S", "O"])
            let breakdown = try XCTUnwrap(invoice["vat_breakdown"] as? [[String: Any]])
            XCTAssertEqual(breakdown.compactMap { ($0["vat_rate"] as? [String: Any])?["basis_points"] as? Int }, [400, 2200, 0])
            XCTAssertEqual(breakdown.compactMap { $0["taxable"] as? Int }, [2500, 597, 50])
            XCTAssertEqual(invoice["amount_total"] as? Int, 3378, "the invoice's total is what the session charged")
            XCTAssertEqual((invoice["buyer"] as? [String: Any])?["email"] as? String, "ada@example.com")
            let byEmail = try await hub.request(.GET, "/v1/invoices?customer_email=ada@example.com")
            XCTAssertEqual((byEmail["data"] as? [Any])?.count, 1)
        }
    }

    func testPartialAndFullRefundsGetCreditNotesReferencingTheInvoice() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            let paid = try await hub.pay(amount: 1220)
            try await issueDue(hub)
            let invoice = try await invoice(of: paid.id, hub)
            let partial = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 305])
            XCTAssertEqual(partial.status, .created, partial.text)
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let rest = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id])
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let settled = try await hub.request(.GET, "/v1/refunds/\(rest.id)")
            XCTAssertEqual(settled["status"] as? String, "succeeded")
            try await issueDue(hub)

            let list = try await hub.request(.GET, "/v1/credit_notes?payment_intent=\(paid.id)")
            let notes = try XCTUnwrap(list["data"] as? [[String: Any]]).sorted { ($0["number"] as? String ?? "") < ($1["number"] as? String ?? "") }
            XCTAssertEqual(notes.count, 2, "one credit note per refund")
            XCTAssertEqual(notes.compactMap { $0["number"] as? String }, ["CN-\(year)-000001", "CN-\(year)-000002"])
            let byRefund = Dictionary(uniqueKeysWithValues: notes.compactMap { note in (note["refund"] as? String).map { ($0, note) } })
            XCTAssertEqual(byRefund[partial.id]?["amount_total"] as? Int, 305)
            XCTAssertEqual(byRefund[rest.id]?["amount_total"] as? Int, 915)
            for note in notes {
                XCTAssertEqual(note["object"] as? String, "credit_note")
                XCTAssertEqual(note["invoice"] as? String, invoice["id"] as? String)
                XCTAssertEqual(note["invoice_number"] as? String, invoice["number"] as? String)
            }
            let first = try XCTUnwrap(byRefund[partial.id])
            XCTAssertEqual([first["amount_net"], first["amount_vat"]].compactMap { $0 as? Int }, [250, 55], "305 incl. 22 %: 55 VAT")
            let full = try XCTUnwrap(byRefund[rest.id])
            XCTAssertEqual([full["amount_net"], full["amount_vat"]].compactMap { $0 as? Int }, [750, 165])
            let id = try XCTUnwrap(first["id"] as? String)
            XCTAssertTrue(id.hasPrefix("cn_"))
            let retrieved = try await hub.request(.GET, "/v1/credit_notes/\(id)")
            XCTAssertEqual(retrieved["number"] as? String, first["number"] as? String)
            let pdf = try await hub.request(.GET, "/v1/credit_notes/\(id)/pdf")
            XCTAssertTrue(pdf.text.contains("credits \(invoice["number"] as? String ?? "?")"))
            let asInvoice = try await hub.request(.GET, "/v1/invoices/\(id)")
            XCTAssertEqual(asInvoice.status, .notFound, "a credit note is not an invoice")
        }
    }

    func testSettingsAreValidatedAndHostileInputIsRefused() async throws {
        try await withEachDatabase { hub in
            let initial = try await hub.request(.GET, "/v1/invoice_settings")
            XCTAssertEqual(initial.status, .ok)
            XCTAssertEqual(initial["legal_name"] as? String, "Test Shop")
            XCTAssertTrue(initial.json.keys.contains("updated"))
            XCTAssertNil(initial["updated"] as? Int)

            func refused(_ change: [String: Any], _ param: String, code: String = "parameter_invalid", line: UInt = #line) async throws {
                var body = Self.italianSettings
                for (key, value) in change { body[key] = value }
                let reply = try await hub.request(.PUT, "/v1/invoice_settings", json: body)
                XCTAssertEqual(reply.status, .badRequest, reply.text, line: line)
                XCTAssertEqual(reply.errorParam, param, reply.text, line: line)
                XCTAssertEqual(reply.errorCode, code, line: line)
            }
            try await refused(["legal_name": "Evil\r\nBcc: x@y.z"], "legal_name")
            try await refused(["legal_name": String(repeating: "a", count: 201)], "legal_name")
            try await refused(["legal_name": "  "], "legal_name")
            try await refused(["number_prefix": "F/2026"], "number_prefix")
            try await refused(["number_prefix": "ABCDEFGHIJK"], "number_prefix")
            try await refused(["number_prefix": "<F>"], "number_prefix")
            try await refused(["credit_note_prefix": "f"], "credit_note_prefix")
            try await refused(["vat_id": "01234567890"], "vat_id")
            try await refused(["time_zone": "Mars/Olympus"], "time_zone")
            try await refused(["time_zone": "../../etc/passwd"], "time_zone")
            try await refused(["default_vat_rate": ["basis_points": 10_001]], "default_vat_rate")
            try await refused(["default_vat_rate": ["basis_points": 0, "category": "E"]], "default_vat_rate")
            try await refused(["default_vat_rate": ["basis_points": 2200, "category": "X"]], "default_vat_rate.category")
            try await refused(["fiscal_regime": "RF1"], "fiscal_regime")
            try await refused(["default_locale": "xx"], "default_locale")
            try await refused(["electronic_address": ["scheme": "9999x", "identifier": "a"]], "electronic_address.scheme")
            try await refused(["address": ["lines": ["a", "b", "c", "d"], "city": "Milano", "country": "IT"]], "address.lines")
            try await refused(["address": ["city": "Milano", "country": "ITA"]], "address.country")
            try await refused(["email": "not an email"], "email", code: "email_invalid")
            try await refused(["logo": Data("GIF89a-not-a-png".utf8).base64EncodedString()], "logo", code: "logo_invalid")
            try await refused(["logo": "%%%not base64%%%"], "logo", code: "logo_invalid")
            try await refused(["logo": Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 33 * 1024)).base64EncodedString()],
                              "logo", code: "logo_invalid")
            let unknown = try await hub.request(.PUT, "/v1/invoice_settings", json: ["legal_name": "A", "vat": "x"])
            XCTAssertEqual(unknown.errorCode, "parameter_unknown")

            // PNG's signature on bytes that are no PNG: refused now, not when an invoice is drawn.
            try await refused(["logo": Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).base64EncodedString()], "logo", code: "logo_invalid")
            // A 2 × 2 RGB PNG.
            let png = try XCTUnwrap(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEUlEQVR4nGP4z8DAAMIg4j8AGvMD/UInS7AAAAAASUVORK5CYII="))
            var body = Self.italianSettings
            body["logo"] = png.base64EncodedString()
            let saved = try await hub.request(.PUT, "/v1/invoice_settings", json: body)
            XCTAssertEqual(saved.status, .ok, saved.text)
            XCTAssertEqual((saved["logo"] as? [String: Any])?["media_type"] as? String, "image/png", "the type comes from the bytes")
            XCTAssertEqual((saved["logo"] as? [String: Any])?["size"] as? Int, 74)
            XCTAssertEqual((saved["address"] as? [String: Any])?["country"] as? String, "IT")
            XCTAssertEqual(saved["credit_note_prefix"] as? String, "CN")
            let read = try await hub.request(.GET, "/v1/invoice_settings")
            XCTAssertEqual(read["number_prefix"] as? String, "F")
            XCTAssertEqual(read["time_zone"] as? String, "Europe/Rome")
            XCTAssertEqual((read["default_vat_rate"] as? [String: Any])?["basis_points"] as? Int, 2200)
            let live = try await hub.request(.GET, "/v1/invoice_settings", key: hub.merchant.secretKeyLive)
            XCTAssertEqual(live["legal_name"] as? String, "Test Shop", "settings are per mode")
            let publishable = try await hub.request(.GET, "/v1/invoice_settings", key: hub.merchant.publishableKeyTest)
            XCTAssertEqual(publishable.status, .forbidden)
        }
    }

    func testAFinalisedInvoiceNeverChanges() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            let paid = try await hub.pay(amount: 1220)
            try await issueDue(hub)
            let before = try await invoice(of: paid.id, hub)
            let id = try XCTUnwrap(before["id"] as? String)
            let pdf = try await hub.request(.GET, "/v1/invoices/\(id)/pdf")

            var changed = Self.italianSettings
            changed["legal_name"] = "Someone Else S.p.A."
            changed["number_prefix"] = "X"
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: changed)
            // Issuing again (a job that ran twice, a retry) returns the invoice as it was.
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let again = try await InvoiceIssuer(context: hub.context, db: hub.app.db).invoice(for: try PaymentIntentID(parsing: paid.id), in: scope)
            XCTAssertEqual(again.id, id)
            XCTAssertEqual(again.number, before["number"] as? String)
            let context = hub.context
            let job = InvoiceIssueJob.job(source: paid.id, in: scope, at: hub.clock.now())
            try await context.transactor.writeSQL(on: hub.app.db) { tx in try await JobScheduler.enqueue(job, context: context, on: tx) }
            try await issueDue(hub)

            let after = try await hub.request(.GET, "/v1/invoices/\(id)")
            XCTAssertEqual((after["seller"] as? [String: Any])?["name"] as? String, "Rossi Libri S.r.l.", "the seller as it was at issue")
            XCTAssertEqual(after["number"] as? String, before["number"] as? String)
            let served = try await hub.request(.GET, "/v1/invoices/\(id)/pdf")
            XCTAssertEqual(served.text, pdf.text, "the stored rendering is served")
            for method in [HTTPMethod.PUT, .POST, .PATCH, .DELETE] {
                let write = try await hub.request(method, "/v1/invoices/\(id)", json: ["number": "F-1"])
                XCTAssertTrue([.notFound, .methodNotAllowed].contains(write.status), "\(method): \(write.status)")
            }
            let count = try await (hub.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM invoices").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(count, 1)
            let getDownload = try await hub.request(.GET, "/v1/invoices/download")
            XCTAssertEqual(getDownload.status, .methodNotAllowed, "download is not an invoice id")
            let long = try await hub.request(.GET, "/v1/invoices?payment_intent=" + String(repeating: "0", count: 65))
            XCTAssertEqual(long.errorParam, "payment_intent")
            let badDate = try await hub.request(.GET, "/v1/invoices?issue_date[gte]=2026-02-30")
            XCTAssertEqual(badDate.errorParam, "issue_date[gte]")
        }
    }

    func testAnotherMerchantsInvoiceIsMissing() async throws {
        try await withEachDatabase { hub in
            let paid = try await hub.pay(amount: 700)
            _ = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 100])
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            try await issueDue(hub)
            let issued = try await invoice(of: paid.id, hub)
            let invoiceID = try XCTUnwrap(issued["id"] as? String)
            let note = try await hub.request(.GET, "/v1/credit_notes")
            let noteID = try XCTUnwrap(((note["data"] as? [[String: Any]])?.first)?["id"] as? String)
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other")
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                for path in ["/v1/invoices/\(invoiceID)", "/v1/invoices/\(invoiceID)/pdf", "/v1/invoices/\(invoiceID)/ubl",
                             "/v1/credit_notes/\(noteID)", "/v1/credit_notes/\(noteID)/pdf"] {
                    let reply = try await hub.request(.GET, path, key: key)
                    XCTAssertEqual(reply.status, .notFound, path)
                }
                let list = try await hub.request(.GET, "/v1/invoices", key: key)
                XCTAssertEqual((list["data"] as? [Any])?.count, 0)
                let zip = try await hub.request(.POST, "/v1/invoices/download", json: ["ids": [invoiceID]], key: key)
                XCTAssertEqual(zip.status, .notFound)
                XCTAssertEqual(zip.errorParam, "ids.0")
            }
        }
    }

    func testNumbersAreGaplessUnderFiftyConcurrentPayments() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            let intents = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await hub.pay(amount: 1000).id } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            // Every issue runs at once, each in its own finalising transaction.
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for intent in intents {
                    group.addTask {
                        try await InvoiceIssuer(context: hub.context, db: hub.app.db).invoice(for: try PaymentIntentID(parsing: intent), in: scope).number
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let year = self.year
            XCTAssertEqual(numbers.sorted(), (1...50).map { InvoiceNumbering.number(prefix: "F", year: year, sequence: Int64($0)) })
            try await issueDue(hub)
            let count = try await (hub.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM invoices").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(count, 50, "the jobs found them issued")
        }
    }

    func testNumbersAreGaplessWithTwoProcessesOnOnePostgreSQL() async throws {
        guard let adminURL = ProcessInfo.processInfo.environment["PAYHUB_TEST_POSTGRES_URL"], !adminURL.isEmpty else {
            throw XCTSkip("needs PAYHUB_TEST_POSTGRES_URL")
        }
        let first = try await TestHub.start(.postgres(adminURL: adminURL))
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
        do {
            let intents = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await first.pay(amount: 1000).id } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let scope = TenantScope(merchantID: first.merchant.id, livemode: false)
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for (index, intent) in intents.enumerated() {
                    let hub = index % 2 == 0 ? first : second
                    group.addTask {
                        try await InvoiceIssuer(context: hub.context, db: hub.app.db).invoice(for: try PaymentIntentID(parsing: intent), in: scope).number
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let year = CalendarDate(first.clock.now(), in: TimeZone(identifier: "UTC")!).year
            XCTAssertEqual(numbers.sorted(), (1...50).map { InvoiceNumbering.number(prefix: nil, year: year, sequence: Int64($0)) })
            // And the jobs of both processes, run together, issue nothing twice.
            async let a = first.scheduler.runDue([.invoiceIssue], limit: 1000)
            async let b = second.scheduler.runDue([.invoiceIssue], limit: 1000)
            _ = try await (a, b)
            let count = try await (first.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM invoices").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(count, 50)
        } catch {
            XCTFail("\(error)")
        }
        try await second.stop()
        try await first.stop()
    }

    func testSendEmailsTheInvoiceWithItsPDFAttachedInTheBuyersLanguage() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.PUT, "/v1/invoice_settings", json: Self.italianSettings)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: [
                "amount": 1220, "currency": "EUR", "customer": ["name": "Zoë Müller", "email": "zoe@example.com", "locale": "it"],
            ])
            _ = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            try await issueDue(hub)
            let invoice = try await invoice(of: intent.id, hub)
            let id = try XCTUnwrap(invoice["id"] as? String)
            let pdf = try await hub.request(.GET, "/v1/invoices/\(id)/pdf")

            let sent = try await hub.request(.POST, "/v1/invoices/\(id)/send", headers: [("Idempotency-Key", "send-1")])
            XCTAssertEqual(sent.status, .ok, sent.text)
            XCTAssertEqual(sent["event"] as? String, "invoice")
            XCTAssertEqual(sent["recipient"] as? String, "zoe@example.com")
            XCTAssertEqual(sent["locale"] as? String, "it")
            let again = try await hub.request(.POST, "/v1/invoices/\(id)/send", headers: [("Idempotency-Key", "send-1")])
            XCTAssertEqual(again.id, sent.id, "the same key is the same email")
            let other = try await hub.request(.POST, "/v1/invoices/\(id)/send", json: ["recipient": "accounts@example.org"])
            XCTAssertEqual(other["recipient"] as? String, "accounts@example.org")
            let hostile = try await hub.request(.POST, "/v1/invoices/\(id)/send", json: ["recipient": "a@b.c\r\nBcc: x@y.z"])
            XCTAssertEqual(hostile.status, .badRequest)
            let stranger = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other")
            let foreign = try await hub.request(.POST, "/v1/invoices/\(id)/send", key: stranger.secretKeyTest)
            XCTAssertEqual(foreign.status, .notFound)

            try await hub.scheduler.runDue([.notificationSend], limit: 10)
            let mails = hub.mail.sent.filter { $0.message.attachments.count == 1 }
            XCTAssertEqual(mails.count, 2, "two invoice emails, each with its PDF")
            let mail = try XCTUnwrap(mails.first { $0.message.to.map(\.address) == ["zoe@example.com"] })
            XCTAssertEqual(mail.message.subject, "La tua fattura \(invoice["number"] as? String ?? "") da Rossi Libri S.r.l.")
            XCTAssertTrue(mail.message.textBody.contains("Gentile Zoë Müller"))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString).eml").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            FileManager.default.createFile(atPath: path, contents: Data(mail.rendered.bytes))
            let parsed = try InvoiceArchiveTests.python(["-c", """
                import sys, email, hashlib
                from email import policy
                m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
                assert not m.defects, m.defects
                print(m.get_content_type())
                for part in m.iter_attachments():
                    print(part.get_filename(), part.get_content_type(), hashlib.sha256(part.get_content()).hexdigest())
                """, path])
            XCTAssertEqual(parsed.status, 0, parsed.output)
            XCTAssertEqual(parsed.output, "multipart/mixed\n\(invoice["number"] as? String ?? "").pdf application/pdf \(DocumentDigest.sha256(Array(pdf.text.utf8)))\n")
        }
    }

    /// Regression: the credit note's job issues the invoice it needs, while the invoice's own job runs at once; on
    /// PostgreSQL the second used to fail on the unique `source_id` (its "issued already?" read came before the
    /// counter's lock) and left the credit note for a retry.
    func testAnInvoiceAndItsCreditNoteIssuedAtOnceMakeOneInvoiceAndOneCreditNote() async throws {
        try await withEachDatabase { hub in
            let paid = try await hub.pay(amount: 1000)
            _ = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 400])
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let runs = try await hub.scheduler.runDue([.invoiceIssue], limit: 10)
            XCTAssertEqual(runs, 2, "both jobs ran once, together")
            let invoices = try await hub.request(.GET, "/v1/invoices")
            XCTAssertEqual((invoices["data"] as? [[String: Any]])?.compactMap { $0["number"] as? String }, ["\(self.utcYear(hub))-000001"])
            let notes = try await hub.request(.GET, "/v1/credit_notes")
            XCTAssertEqual((notes["data"] as? [[String: Any]])?.compactMap { $0["number"] as? String }, ["CN-\(self.utcYear(hub))-000001"])
            let failed = try await (hub.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'invoice.issue'").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(failed, 0, "no job left to retry")
        }
    }

    private func utcYear(_ hub: TestHub) -> Int { CalendarDate(hub.clock.now(), in: TimeZone(identifier: "UTC")!).year }
}
