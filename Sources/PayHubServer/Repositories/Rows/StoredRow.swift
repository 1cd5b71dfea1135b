import Foundation
import PayHubCore

/// Reads one stored row's values strictly: an id without its prefix, an unknown enum value or unreadable JSON is
/// `StoredValueInvalid`, never a default.
struct StoredRow {
    let table: String
    let id: String

    init(table: String, id: String?) throws {
        guard let id else { throw StoredValueInvalid(table: table, column: "id", id: "(none)") }
        self.table = table
        self.id = id
    }

    func id<Kind>(_ raw: String, column: String) throws -> Identifier<Kind> {
        guard let parsed = Identifier<Kind>(validating: raw) else { throw invalid(column) }
        return parsed
    }

    func parse<Value: RawRepresentable>(_ raw: Value.RawValue, column: String) throws -> Value {
        try StoredValueInvalid.parse(raw, as: Value.self, table: table, column: column, id: id)
    }

    func json<Value: Decodable>(_ type: Value.Type, _ raw: String, column: String) throws -> Value {
        guard let value = JSONText.decode(Value.self, from: raw) else { throw invalid(column) }
        return value
    }

    /// `json`, through a memo of texts already decoded.
    func json<Value>(_ memo: DecodedJSONMemo<Value>, _ raw: String, column: String) throws -> Value {
        guard let value = memo.decode(raw) else { throw invalid(column) }
        return value
    }

    func invalid(_ column: String) -> StoredValueInvalid {
        StoredValueInvalid(table: table, column: column, id: id)
    }
}
