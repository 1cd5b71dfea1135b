/// One mailbox: an optional display name and an address (`local@domain`, ASCII only).
public struct MailAddress: Sendable, Hashable {
    public var name: String?
    public var address: String

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// Checks the address is a plain `dot-atom@domain` that needs neither quoting nor SMTPUTF8, and that nothing
    /// in it or its name could end a header line.
    public func validate(field: String = "address") throws(MailMessageError) {
        if address.contains(where: \.isLineBreak) || (name?.contains(where: \.isLineBreak) ?? false) {
            throw .lineBreakInHeader(field: field)
        }
        guard Self.isPlain(address) else { throw .invalidAddress(field: field, address: address) }
    }

    static func isPlain(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, address.utf8.count <= 254 else { return false }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, local.split(separator: ".", omittingEmptySubsequences: false)
            .allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(HeaderText.isAtext) })
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 1 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }
}

extension Character {
    var isLineBreak: Bool { unicodeScalars.contains { $0 == "\r" || $0 == "\n" } }
}
