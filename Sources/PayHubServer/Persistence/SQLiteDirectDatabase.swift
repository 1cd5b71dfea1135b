import Foundation
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

    /// The SQLite value of a bind: PayHub's common column types directly, anything else through SQLiteKit's encoder
    /// (which gives the same values, with a slower dynamic lookup).
    private static func sqliteData(_ bind: any Encodable & Sendable) throws -> SQLiteData {
        switch bind {
        case let text as String: .text(text)
        case let integer as Int64: .integer(Int(integer))
        case let integer as Int: .integer(integer)
        case let flag as Bool: .integer(flag ? 1 : 0)
        case let date as Date: .float(date.timeIntervalSince1970)
        default: try encoder.encode(bind)
        }
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let values = try binds.map { try Self.sqliteData($0) }
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
        let data = values[offset]
        if let value = Self.fastDecode(D.self, from: data) { return value }
        return try Self.decoder.decode(D.self, from: data)
    }

    /// PayHub's common column types without SQLiteKit's dynamic lookup, converted exactly as it would.
    private static func fastDecode<D>(_ type: D.Type, from data: SQLiteData) -> D? {
        if D.self == String.self { return String(sqliteData: data) as? D }
        if D.self == Int64.self { return Int64(sqliteData: data) as? D }
        if D.self == Int.self { return Int(sqliteData: data) as? D }
        if D.self == Bool.self { return Bool(sqliteData: data) as? D }
        if D.self == Date.self { return Date(sqliteData: data) as? D }
        return nil
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
