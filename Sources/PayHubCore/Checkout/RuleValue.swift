/// A condition's value as a client wrote it, before the parser gives it the type its key needs.
public enum RuleValue: Sendable, Hashable, Codable {
    case text(String)
    case integer(Int64)
    case list([RuleValue])
    /// A boolean, an object or null: never a valid rule value, kept so that the error can say what was sent.
    case unsupported(kind: String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .unsupported(kind: "null")
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if (try? container.decode(Bool.self)) != nil {
            self = .unsupported(kind: "a boolean")
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let list = try? container.decode([RuleValue].self) {
            self = .list(list)
        } else {
            self = .unsupported(kind: "an object")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .list(let list): try container.encode(list)
        case .unsupported: try container.encodeNil()
        }
    }

    /// How an error names what was sent.
    var kind: String {
        switch self {
        case .text: "a string"
        case .integer: "an integer"
        case .list: "a list"
        case .unsupported(let kind): kind
        }
    }
}
