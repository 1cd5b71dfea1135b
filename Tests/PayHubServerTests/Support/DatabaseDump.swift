import Foundation
@testable import PayHubServer
import SQLKit

/// Everything a hub's database holds, as text: every column of every row of every table, and on SQLite the raw
/// bytes of the database files (main file, WAL and shared memory), so tests can prove what is never stored.
enum DatabaseDump {
    struct Cell {
        var table: String
        var column: String
        var text: String
    }

    static func cells(of hub: TestHub) async throws -> [Cell] {
        let sql = hub.app.db as! any SQLDatabase
        var cells: [Cell] = []
        for (table, column, expression) in try await columns(of: hub, sql: sql) {
            let rows = try await sql.raw("SELECT \(unsafeRaw: expression) AS v FROM \(ident: table)").all()
            for row in rows {
                if let text = try row.decodeNil(column: "v") ? nil : row.decode(column: "v", as: String.self) {
                    cells.append(Cell(table: table, column: column, text: text))
                }
            }
        }
        return cells
    }

    /// The tables holding `needle` in some column, as `table.column`.
    static func places(of needle: String, in cells: [Cell]) -> [String] {
        Array(Set(cells.filter { $0.text.contains(needle) }.map { "\($0.table).\($0.column)" })).sorted()
    }

    /// The SQLite database's files, byte for byte (empty on PostgreSQL).
    static func sqliteFiles(of hub: TestHub) throws -> [(name: String, bytes: [UInt8])] {
        guard case .sqlite(let path) = hub.context.config.database else { return [] }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(name) }.sorted().map {
            ($0, Array(try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent($0))))
        }
    }

    /// Each table's columns with the expression that reads one as text (bytes as they are, not hex).
    private static func columns(of hub: TestHub, sql: any SQLDatabase) async throws -> [(String, String, String)] {
        switch hub.database {
        case .sqlite:
            var result: [(String, String, String)] = []
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
                .map { try $0.decode(column: "name", as: String.self) }
            for table in tables {
                for column in try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all() {
                    let name = try column.decode(column: "name", as: String.self)
                    result.append((table, name, "CAST(\"\(name)\" AS TEXT)"))
                }
            }
            return result
        case .postgres:
            return try await sql.raw("""
                SELECT table_name, column_name, data_type FROM information_schema.columns \
                WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
                """).all().map { row in
                let table = try row.decode(column: "table_name", as: String.self)
                let column = try row.decode(column: "column_name", as: String.self)
                let type = try row.decode(column: "data_type", as: String.self)
                return (table, column, type == "bytea" ? "encode(\"\(column)\", 'escape')" : "\"\(column)\"::text")
            }
        }
    }
}

extension Array where Element == UInt8 {
    func contains(_ needle: String) -> Bool {
        let bytes = Array(needle.utf8)
        guard !bytes.isEmpty, bytes.count <= count else { return false }
        let first = bytes[0]
        var start = 0
        while start <= count - bytes.count {
            if self[start] == first, self[start..<(start + bytes.count)].elementsEqual(bytes) { return true }
            start += 1
        }
        return false
    }
}
