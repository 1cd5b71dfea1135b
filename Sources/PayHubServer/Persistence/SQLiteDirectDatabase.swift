import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLKit on top of `SQLiteDirectConnection`: each statement runs to completion on the calling thread, so code
/// written against `SQLDatabase` reads the same on PostgreSQL and on the embedded database.
struct SQLiteDirectDatabase: SQLDatabase {
    enum Source: Sendable {
        /// The writer, owned by the transaction that runs on it.
        case connection(SQLiteDirectConnection)
        /// Any idle reader.
        case readers(SQLiteReaderPool)
    }

    let source: Source
    let logger: Logger
    let fallbackEventLoop: any EventLoop

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.currentEventLoop ?? fallbackEventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    private static let encoder = SQLiteDataEncoder()

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let values = try binds.map { try Self.encoder.encode($0) }
        switch source {
        case .connection(let connection):
            try connection.query(sql, values) { onRow($0) }
        case .readers(let pool):
            _ = try pool.withConnection { try $0.query(sql, values) { onRow($0) } }
        }
    }
}

/// A row read by `SQLiteDirectConnection`, decoded with SQLiteKit's decoder exactly as Fluent would.
struct SQLiteDirectRow: SQLRow {
    let columns: SQLiteDirectConnection.Columns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.index[column] else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.index[column] else {
            throw DecodingError.keyNotFound(
                SQLiteDirectColumn(column), .init(codingPath: [], debugDescription: "No column '\(column)' in this row."))
        }
        return try Self.decoder.decode(D.self, from: values[offset])
    }

    private static let decoder = SQLiteDataDecoder()
}

private struct SQLiteDirectColumn: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
