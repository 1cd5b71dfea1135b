/// The DATA phase's encoding of a rendered message (RFC 5321 4.5.2): a line that begins with `.` gets a second
/// `.`, and the message ends with `CRLF . CRLF`.
enum SMTPData {
    static func encode(_ message: String) -> String {
        var text = message
        if !text.hasSuffix("\r\n") { text += "\r\n" }
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
        return lines.map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}
