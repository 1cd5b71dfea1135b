/// A stored value that the code cannot read: a corrupt row, never silently replaced by a default.
struct StoredValueInvalid: Error, CustomStringConvertible {
    /// Parses a stored enum value: an unknown one is this error, never a default.
    static func parse<Value: RawRepresentable>(
        _ raw: Value.RawValue, as type: Value.Type, table: String, column: String, id: String?
    ) throws -> Value {
        guard let value = Value(rawValue: raw) else { throw StoredValueInvalid(table: table, column: column, id: id ?? "") }
        return value
    }

    var table: String
    var column: String
    var id: String
    var description: String { "\(table).\(column) of \(id) holds a value PayHub cannot read" }
}
