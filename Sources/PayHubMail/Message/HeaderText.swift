import Foundation

/// Header values as RFC 5322 and RFC 2047 want them: ASCII only, non-ASCII text as `=?UTF-8?B?...?=` encoded
/// words, and lines folded to at most 78 characters where the text allows it.
enum HeaderText {
    static let foldedLineLimit = 78
    /// UTF-8 bytes per encoded word: 40 bytes make 56 base64 characters, a 68-character word.
    static let encodedWordBytes = 40

    /// RFC 5322 `atext`: the characters of an atom.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }

    /// Whether unstructured text can go into a header as it is: printable ASCII and spaces, no word that cannot be
    /// folded, nothing a reader would take for an encoded word.
    static func isPlainText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 0x20 && $0.value < 0x7F) }
            && !text.contains("=?") && text.split(separator: " ").allSatisfy { $0.utf8.count <= 60 }
    }

    /// The UTF-8 bytes of `text` as encoded words, none of which splits a character.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > encodedWordBytes {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// Unstructured text (`Subject`, extra headers) as folding tokens.
    static func unstructuredTokens(_ text: String) -> [String] {
        isPlainText(text) ? text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) : encodedWords(text)
    }

    /// A display name as a phrase: atoms as they are, other ASCII as a quoted string, non-ASCII as encoded words.
    static func phraseTokens(_ name: String) -> [String] {
        let words = name.split(separator: " ")
        if words.allSatisfy({ $0.unicodeScalars.allSatisfy(isAtext) }) { return words.map(String.init) }
        if isPlainText(name) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ["\"" + escaped + "\""]
        }
        return encodedWords(name)
    }

    /// `Name <address>` (or the bare address) as folding tokens.
    static func mailboxTokens(_ mailbox: MailAddress) -> [String] {
        guard let name = mailbox.name, !name.trimmingCharacters(in: .whitespaces).isEmpty else { return [mailbox.address] }
        return phraseTokens(name) + ["<" + mailbox.address + ">"]
    }

    /// `Name: value` with the tokens joined by spaces, folded (CRLF SP) before a token that would pass 78 characters.
    static func line(_ name: String, tokens: [String]) -> String {
        var output = name + ":"
        var lineLength = output.utf8.count
        for token in tokens {
            let length = token.utf8.count + 1
            if lineLength + length > foldedLineLimit && lineLength > name.utf8.count + 1 {
                output += "\r\n"
                lineLength = 0
            }
            output += " " + token
            lineLength += length
        }
        return output + "\r\n"
    }

    /// A mailbox list (`To`), comma-separated.
    static func mailboxListTokens(_ mailboxes: [MailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var own = mailboxTokens(mailbox)
            if index < mailboxes.count - 1 { own[own.count - 1] += "," }
            tokens += own
        }
        return tokens
    }
}
