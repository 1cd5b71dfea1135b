/// An `application/x-www-form-urlencoded` body as Stripe reads it: ordered pairs, nested keys written with
/// brackets (`metadata[payhub_attempt_id]`, `payment_method_types[]`).
struct StripeForm: Sendable {
    private(set) var pairs: [(key: String, value: String)] = []

    init() {}

    /// Adds a pair; a nil value is left out.
    mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        pairs.append((key, value))
    }

    mutating func add(_ key: String, _ value: Int64) {
        pairs.append((key, String(value)))
    }

    /// Adds `parent[key]=value` for each entry, keys sorted so the body is deterministic.
    mutating func add(_ parent: String, dictionary: [String: String]) {
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            pairs.append(("\(parent)[\(key)]", value))
        }
    }

    var isEmpty: Bool { pairs.isEmpty }

    /// The encoded body: every byte outside RFC 3986's unreserved set is percent-encoded.
    func encoded() -> [UInt8] {
        Array(pairs.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.joined(separator: "&").utf8)
    }

    static func escape(_ string: String) -> String {
        var result = ""
        result.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
