import Foundation
import PayHubCore
import PayHubDocuments
@testable import PayHubServer
import SQLKit
import XCTVapor

/// `POST /v1/invoices/download`: a zip of any number of invoices, streamed with memory that does not grow with it.
final class InvoiceArchiveTests: XCTestCase {
    /// One real invoice, then `count - 1` copies of it with their own ids and numbers, written in one transaction.
    private func invoices(_ count: Int, _ hub: TestHub) async throws -> [String] {
        let paid = try await hub.pay(amount: 1220)
        try await hub.scheduler.runDue([.invoiceIssue], limit: 10)
        let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
        let issued = try await InvoiceRepository().invoice(documenting: paid.id, in: scope, on: hub.app.db as! any SQLDatabase)
        let first = try XCTUnwrap(issued)
        let context = hub.context
        let start = hub.clock.now()
        let copies: [String] = try await hub.context.transactor.writeSQL(on: hub.app.db) { tx in
            var ids = [first.id]
            for index in 1..<count {
                var document = first.document
                document.number = InvoiceNumbering.number(prefix: "T\(count)", year: document.issueDate.year, sequence: Int64(index))
                let id = (context.ids.make() as InvoiceID).rawValue
                let record = InvoiceRecord(
                    id: id, scope: scope, status: .finalized, sequence: Int64(index + 1),
                    paymentIntentID: try PaymentIntentID(parsing: "pi_copy\(count)x\(index)"), refundID: nil, creditedInvoiceID: nil,
                    customerEmail: nil, document: document, createdAt: start.addingTimeInterval(Double(index) / 1000))
                try await InvoiceRepository().insert(record, on: tx)
                ids.append(id)
            }
            return ids
        }
        return copies
    }

    /// Writes the archive of every invoice to a counting sink: its size, the largest piece before the central
    /// directory (what one entry holds in memory), the directory (the last piece) and the number of pieces.
    private func measure(_ hub: TestHub) async throws -> (bytes: Int, largestEntryPiece: Int, directory: Int, chunks: Int) {
        var pieces: [Int] = []
        try await InvoiceArchive(context: hub.context, db: hub.app.db).write(
            .filter(InvoiceFilter()), in: TenantScope(merchantID: hub.merchant.id, livemode: false)
        ) { chunk in
            pieces.append(chunk.count)
        }
        return (pieces.reduce(0, +), pieces.dropLast().max() ?? 0, pieces.last ?? 0, pieces.count)
    }

    func testAZipOfAThousandInvoicesStreamsInFlatMemoryAndOpens() async throws {
        try await withEachDatabase { hub in
            _ = try await invoices(100, hub)
            let hundred = try await measure(hub)
            _ = try await invoices(900, hub)
            let thousand = try await measure(hub)
            // PDFs are sent one at a time: the largest piece in flight before the central directory is one PDF (or
            // one header), the same for 100 and 1,000 invoices; what grows is the directory, 46 bytes and the name
            // per entry, which a zip must end with.
            XCTAssertGreaterThan(thousand.bytes, 9 * hundred.bytes, "1,000 invoices")
            XCTAssertEqual(thousand.chunks, 3 * 1_000 + 1, "each entry goes out as header, data and descriptor")
            XCTAssertLessThanOrEqual(thousand.largestEntryPiece, hundred.largestEntryPiece + 16, "no piece grows with the count")
            XCTAssertLessThan(thousand.largestEntryPiece, 1_024)
            XCTAssertLessThanOrEqual(thousand.directory, 1_000 * (46 + 30) + 22)
            let reply = try await hub.request(.POST, "/v1/invoices/download", json: ["filter": [String: Any]()])
            XCTAssertEqual(reply.status, .ok)
            XCTAssertEqual(reply.headers.first(name: .contentType), "application/zip")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("invoices-\(UUID().uuidString).zip").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let response = try await hub.app.testable().performTest(request: TestingHTTPRequest(
                method: .POST, url: URI(path: "/v1/invoices/download"),
                headers: ["Authorization": "Bearer \(hub.secretKey)", "Content-Type": "application/json"],
                body: ByteBuffer(string: #"{"filter": {}}"#)))
            FileManager.default.createFile(atPath: path, contents: Data(response.body.readableBytesView))
            XCTAssertEqual(try Self.python(["-m", "zipfile", "-t", path]).status, 0)
            let listing = try Self.python(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.namelist())); print(z.read(z.namelist()[0]).decode())", path])
            XCTAssertTrue(listing.output.hasPrefix("1000\n"), listing.output)
            XCTAssertTrue(listing.output.contains("%PDF-1.7 test"))

            let some = try await hub.request(.GET, "/v1/invoices?limit=2")
            let ids = try XCTUnwrap(some["data"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            let picked = try await hub.app.testable().performTest(request: TestingHTTPRequest(
                method: .POST, url: URI(path: "/v1/invoices/download"),
                headers: ["Authorization": "Bearer \(hub.secretKey)", "Content-Type": "application/json"],
                body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["ids": ids]))))
            FileManager.default.createFile(atPath: path, contents: Data(picked.body.readableBytesView))
            let two = try Self.python(["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.testzip(); print(len(z.namelist()))", path])
            XCTAssertEqual(two.output, "2\n")
            let neither = try await hub.request(.POST, "/v1/invoices/download", json: ["ids": [String]()])
            XCTAssertEqual(neither.status, .badRequest)
        }
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
