import Foundation

/// Reads back the `.eml` files `DirectoryMailOutbox` writes, for the demo's outbox page: the headers a person
/// looks at and the text part. It reads what PayHub's renderer writes (UTF-8 encoded words, 7bit or
/// quoted-printable parts), not every message the world could send.
struct DemoOutbox: Sendable {
    struct Message: Sendable, Equatable {
        var file: String
        var date: String
        var from: String
        var to: String
        var subject: String
        var text: String
        /// `X-PayHub-Livemode`: only test-mode messages are shown.
        var livemode: Bool
    }

    let directory: URL

    /// A file name as the outbox writes them (`<milliseconds>-<token>.eml`): nothing else is ever opened.
    static func isMessageFile(_ name: String) -> Bool {
        name.wholeMatch(of: /[0-9]{1,20}-[A-Za-z0-9]{1,64}\.eml/) != nil
    }

    /// The test-mode messages, newest first, at most `limit`.
    func messages(limit: Int = 200) -> [Message] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter(Self.isMessageFile)
        return names.sorted(by: >).prefix(limit * 2).compactMap(message).filter { !$0.livemode }.prefix(limit).map { $0 }
    }

    /// One test-mode message, if the file is one.
    func message(_ name: String) -> Message? {
        guard Self.isMessageFile(name),
              let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
              let raw = String(data: data, encoding: .utf8)
        else { return nil }
        return Self.parse(raw, file: name)
    }

    static func parse(_ raw: String, file: String) -> Message? {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let split = normalized.range(of: "\n\n") else { return nil }
        let headers = Self.headers(String(normalized[..<split.lowerBound]))
        var body = String(normalized[split.upperBound...])
        var contentType = headers["content-type"] ?? "text/plain"
        var encoding = headers["content-transfer-encoding"] ?? "7bit"
        if contentType.lowercased().hasPrefix("multipart/"), let boundary = Self.boundary(in: contentType) {
            let parts = body.components(separatedBy: "--" + boundary).dropFirst()
            guard let plain = parts.compactMap({ part -> (headers: [String: String], body: String)? in
                let trimmed = part.hasPrefix("\n") ? String(part.dropFirst()) : part
                guard let end = trimmed.range(of: "\n\n") else { return nil }
                return (Self.headers(String(trimmed[..<end.lowerBound])), String(trimmed[end.upperBound...]))
            }).first(where: { ($0.headers["content-type"] ?? "").lowercased().hasPrefix("text/plain") })
            else { return nil }
            contentType = plain.headers["content-type"] ?? "text/plain"
            encoding = plain.headers["content-transfer-encoding"] ?? "7bit"
            body = plain.body
        }
        let text = encoding.lowercased() == "quoted-printable" ? quotedPrintable(body) : body
        return Message(
            file: file, date: headers["date"] ?? "", from: decodeWords(headers["from"] ?? ""), to: decodeWords(headers["to"] ?? ""),
            subject: decodeWords(headers["subject"] ?? ""), text: text.trimmingCharacters(in: .newlines),
            livemode: headers["x-payhub-livemode"] != "false")
    }

    /// Unfolded headers by lowercased name (the first of each).
    static func headers(_ block: String) -> [String: String] {
        var unfolded: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", !unfolded.isEmpty {
                unfolded[unfolded.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                unfolded.append(String(line))
            }
        }
        var headers: [String: String] = [:]
        for line in unfolded {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            if headers[name] == nil { headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return headers
    }

    static func boundary(in contentType: String) -> String? {
        guard let match = contentType.firstMatch(of: /;\s*boundary="?([^";]+)"?/.ignoresCase()) else { return nil }
        return String(match.1)
    }

    /// RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`); whitespace between two words goes.
    static func decodeWords(_ value: String) -> String {
        let joined = value.replacing(/\?=\s+=\?/, with: "?==?")
        return joined.replacing(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/) { match -> String in
            let payload = String(match.3)
            let bytes: Data?
            if match.2.uppercased() == "B" {
                bytes = Data(base64Encoded: payload)
            } else {
                bytes = quotedPrintable(payload.replacingOccurrences(of: "_", with: " ")).data(using: .utf8)
            }
            return bytes.flatMap { String(data: $0, encoding: .utf8) } ?? String(match.0)
        }
    }

    /// Quoted-printable to text: soft breaks joined, `=XX` bytes decoded as UTF-8.
    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\n", with: "").utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "="), index + 2 < source.count,
               let byte = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
