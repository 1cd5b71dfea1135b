import Fluent
import Foundation
import PayHubCore
import PayHubDocuments
import SQLKit

/// Many invoices' PDFs as one zip, written to a sink as it goes: the ids are read 100 at a time, each PDF is
/// loaded (rendered first when needed), sent as one stored entry and let go. What stays in memory is one PDF and
/// the zip's central directory (about 70 bytes per entry), whatever the number of invoices.
struct InvoiceArchive: Sendable {
    /// Which invoices: these ids (in this order), or every invoice matching the filter (oldest first).
    enum Selection: Sendable {
        case ids([String])
        case filter(InvoiceFilter)
    }

    static let idLimit = 1_000
    static let pageSize = 100

    let context: PayHubContext
    let db: any Database

    /// Checks the selection before any byte is sent: every id must be one of the caller's invoices.
    func prepare(_ selection: Selection, principal: Principal) async throws -> Selection {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        try InvoiceService.requirePDF(context)
        guard case .ids(let ids) = selection else { return selection }
        guard !ids.isEmpty, ids.count <= Self.idLimit else {
            throw ServiceError.invalid("parameter_invalid", "ids holds 1 to \(Self.idLimit) invoice ids.", param: "ids")
        }
        guard Set(ids).count == ids.count else { throw ServiceError.invalid("parameter_invalid", "ids has an id twice.", param: "ids") }
        let reader = context.transactor.reader(db)
        for (index, id) in ids.enumerated() {
            guard let record = try await InvoiceRepository().invoice(id, in: principal.scope, on: reader), record.kind == .invoice else {
                throw ServiceError.notFound("invoice", id: id, param: "ids.\(index)")
            }
        }
        return selection
    }

    /// Writes the archive to `sink`, chunk by chunk. An invoice whose PDF the renderer refuses is left out and
    /// named in `refused.txt`, the last entry.
    func write(_ selection: Selection, in scope: TenantScope, to sink: ([UInt8]) async throws -> Void) async throws {
        var zip = ZipStreamWriter()
        let files = InvoiceFiles(context: context, db: db)
        let repository = InvoiceRepository()
        let reader = context.transactor.reader(db)
        var names = Set<String>()
        var refused: [String] = []
        let stamp = ZipStreamWriter.Timestamp(CalendarDate(context.clock.now(), in: TimeZone(identifier: "UTC")!))

        func add(_ id: String) async throws {
            guard let record = try await repository.invoice(id, in: scope, on: reader) else { return }
            let file: InvoiceFileRecord
            do {
                file = try await files.file(of: record, format: .pdf)
            } catch let error as InvoiceExportRefused {
                refused.append("\(record.number)\t\(record.id)\t\(error.field)\t\(error.message)")
                return
            }
            var name = InvoiceFileName.of(record, format: .pdf)
            if names.contains(name) { name = record.id + ".pdf" }
            names.insert(name)
            try await sink(try zip.beginEntry(name: name, modified: ZipStreamWriter.Timestamp(record.document.issueDate)))
            try await sink(try zip.write(file.bytes))
            try await sink(try zip.endEntry())
        }

        switch selection {
        case .ids(let ids):
            for id in ids { try await add(id) }
        case .filter(let filter):
            var cursor: (Date, String)?
            while true {
                let page = try await repository.ids(.invoice, matching: filter, in: scope, after: cursor, limit: Self.pageSize, on: reader)
                for row in page { try await add(row.id) }
                guard page.count == Self.pageSize, let last = page.last else { break }
                cursor = (last.createdAt, last.id)
            }
        }
        if !refused.isEmpty {
            try await sink(try zip.beginEntry(name: "refused.txt", modified: stamp))
            try await sink(try zip.write(Array((refused.joined(separator: "\n") + "\n").utf8)))
            try await sink(try zip.endEntry())
        }
        try await sink(try zip.finish())
    }
}

/// A rendering's file name: the number with anything but letters, digits, `.`, `-` and `_` replaced by `_`.
enum InvoiceFileName {
    static func of(_ record: InvoiceRecord, format: InvoiceFormat) -> String {
        let safe = String(record.number.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        return (safe.isEmpty ? record.id : safe) + "." + format.fileExtension
    }
}

extension ZipStreamWriter.Timestamp {
    init(_ date: CalendarDate) {
        self.init(year: date.year, month: date.month, day: date.day)
    }
}
