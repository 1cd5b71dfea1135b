/// Writes an XML 1.0 document in UTF-8, indented by two spaces, always well-formed: every text and attribute
/// value is stripped of the characters XML 1.0 cannot hold and escaped, and elements close in order. Element and
/// attribute names come from the renderers' code, never from a document. Renderers check a document before they
/// write it: writing never fails.
struct XMLWriter {
    private var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []

    /// Opens `name`; `body` writes its children; the element closes after it.
    mutating func element(_ name: String, attributes: KeyValuePairs<String, String> = [:], _ body: (inout XMLWriter) -> Void) {
        indent()
        output += "<" + name + Self.attributes(attributes) + ">\n"
        open.append(name)
        body(&self)
        open.removeLast()
        indent()
        output += "</" + name + ">\n"
    }

    /// A leaf element holding `text`.
    mutating func element(_ name: String, _ text: String, attributes: KeyValuePairs<String, String> = [:]) {
        indent()
        output += "<" + name + Self.attributes(attributes) + ">" + Self.escaped(text, attribute: false) + "</" + name + ">\n"
    }

    /// A leaf element when there is a value; nothing otherwise (Peppol forbids empty elements, PEPPOL-EN16931-R008).
    mutating func element(_ name: String, ifPresent text: String?, attributes: KeyValuePairs<String, String> = [:]) {
        guard let text, !text.isEmpty else { return }
        element(name, text, attributes: attributes)
    }

    /// The document's bytes. Call once every element has closed.
    func bytes() -> [UInt8] {
        precondition(open.isEmpty, "XMLWriter: <\(open.last ?? "")> is still open")
        return Array(output.utf8)
    }

    private mutating func indent() {
        output += String(repeating: "  ", count: open.count)
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(escaped($0.value, attribute: true))\"" }.joined()
    }

    /// `&`, `<`, `>` escaped everywhere (so `]]>` never appears raw), quotes and whitespace other than a space
    /// escaped in attributes (a parser would normalise them), `\r` escaped in text (a parser would drop it), and the
    /// characters XML 1.0 does not allow removed.
    static func escaped(_ value: String, attribute: Bool) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars where isAllowed(scalar) {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where attribute: result += "&quot;"
            case "\t" where attribute: result += "&#9;"
            case "\n" where attribute: result += "&#10;"
            case "\r": result += "&#13;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// XML 1.0's `Char` production: tab, line feed, carriage return, and U+0020 to U+10FFFF except U+FFFE and U+FFFF
    /// (Swift strings hold no surrogates). The C1 controls U+007F to U+009F are allowed by XML but never meant in an
    /// invoice: they are removed too.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20..<0x7F, 0xA0...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
