import Foundation
@testable import PayHubMail
import XCTest

final class MailRendererTests: XCTestCase {
    static let renderer = MailRenderer(
        domain: "payhub.test", now: { Date(timeIntervalSince1970: 1_800_000_000) }, uniqueToken: { "tok123" })

    static func message(
        subject: String = "Your payment link", text: String = "Pay here: https://pay.example/l/1\n",
        html: String? = "<p>Pay <a href=\"https://pay.example/l/1\">here</a></p>"
    ) -> MailMessage {
        MailMessage(
            from: MailAddress("shop@example.com", name: "Example Shop"), to: [MailAddress("ada@example.org", name: "Ada Lovelace")],
            subject: subject, textBody: text, htmlBody: html)
    }

    func testMultipartAlternativeWithTheStandardHeaders() throws {
        let rendered = try Self.renderer.render(Self.message())
        let text = rendered.text
        XCTAssertEqual(rendered.messageID, "<tok123@payhub.test>")
        XCTAssertEqual(rendered.sender, "shop@example.com")
        XCTAssertEqual(rendered.recipients, ["ada@example.org"])
        XCTAssertTrue(text.hasPrefix("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\nMessage-ID: <tok123@payhub.test>\r\n"), text)
        XCTAssertTrue(text.contains("\r\nFrom: Example Shop <shop@example.com>\r\n"))
        XCTAssertTrue(text.contains("\r\nTo: Ada Lovelace <ada@example.org>\r\n"))
        XCTAssertTrue(text.contains("\r\nSubject: Your payment link\r\n"))
        XCTAssertTrue(text.contains("\r\nMIME-Version: 1.0\r\n"))
        XCTAssertTrue(text.contains("Content-Type: multipart/alternative;\r\n boundary=\"=_PayHub_tok123\"\r\n"))
        let plain = try XCTUnwrap(text.range(of: "--=_PayHub_tok123\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        let html = try XCTUnwrap(text.range(of: "--=_PayHub_tok123\r\nContent-Type: text/html; charset=utf-8\r\n"))
        XCTAssertLessThan(plain.lowerBound, html.lowerBound, "text first, then the preferred HTML")
        XCTAssertTrue(text.hasSuffix("\r\n--=_PayHub_tok123--\r\n"))
        try assertWellFormed(text)
    }

    func testTextOnlyMessageIsOnePart() throws {
        let text = try Self.renderer.render(Self.message(html: nil)).text
        XCTAssertFalse(text.contains("multipart"))
        XCTAssertTrue(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nPay here"))
    }

    func testNonASCIISubjectsAndNamesAreEncodedWords() throws {
        var message = Self.message(subject: "Paiement reçu — merci beaucoup pour votre commande n° 42, à très bientôt !")
        message.from.name = "Boulangerie Müller"
        message.to = [MailAddress("zoe@example.org", name: "Zoë"), MailAddress("bob@example.org", name: "Doe, \"JJ\" \\ Bob")]
        let text = try Self.renderer.render(message).text
        try assertWellFormed(text)
        let headers = Self.unfoldedHeaders(text)
        let subject = try XCTUnwrap(headers["Subject"])
        XCTAssertTrue(subject.hasPrefix("=?UTF-8?B?"))
        XCTAssertEqual(Self.decodeWords(subject), message.subject)
        XCTAssertEqual(Self.decodeWords(try XCTUnwrap(headers["From"])), "Boulangerie Müller <shop@example.com>")
        let to = try XCTUnwrap(headers["To"])
        XCTAssertTrue(to.hasSuffix("<zoe@example.org>, \"Doe, \\\"JJ\\\" \\\\ Bob\" <bob@example.org>"), to)
        XCTAssertEqual(Self.decodeWords(String(to.prefix { $0 != "<" })), "Zoë ")
        // Every encoded word fits RFC 2047's 75 characters.
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\r\n" }) where word.hasPrefix("=?") {
            XCTAssertLessThanOrEqual(word.count, 75)
        }
    }

    func testNonASCIIBodiesAreQuotedPrintable() throws {
        let long = String(repeating: "é", count: 60) + " = fin "
        let text = try Self.renderer.render(Self.message(text: "Grüße\n" + long + "\n", html: "<p>Grüße</p>")).text
        try assertWellFormed(text)
        XCTAssertTrue(text.contains("Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n"))
        XCTAssertTrue(text.contains("=3D fin=20\r\n"), "= is encoded, and a space before a line break")
        let bodyLines = text.components(separatedBy: "\r\n").filter { $0.hasPrefix("=C3=A9") }
        XCTAssertFalse(bodyLines.isEmpty)
        for line in bodyLines { XCTAssertLessThanOrEqual(line.count, 76) }
        XCTAssertEqual(QuotedPrintable.encode(lines: ["a\tb\t", "x"]), "a\tb=09\r\nx\r\n")
    }

    func testLongASCIILinesAndMixedLineBreaks() throws {
        let long = String(repeating: "x", count: 1200)
        let text = try Self.renderer.render(Self.message(text: "one\r\ntwo\rthree\n" + long, html: nil)).text
        try assertWellFormed(text)
        XCTAssertTrue(text.contains("quoted-printable\r\n\r\none\r\ntwo\r\nthree\r\nxxx"), "a line over 998 characters is encoded")
    }

    func testABodyContainingTheBoundaryIsEncoded() throws {
        let text = try Self.renderer.render(Self.message(text: "--=_PayHub_tok123\nfake part")).text
        XCTAssertTrue(text.contains("quoted-printable\r\n\r\n--=3D_PayHub_tok123\r\nfake part"), text)
    }

    func testLongASCIISubjectIsFolded() throws {
        let subject = Array(repeating: "payment", count: 30).joined(separator: " ")
        let text = try Self.renderer.render(Self.message(subject: subject)).text
        try assertWellFormed(text)
        XCTAssertEqual(Self.unfoldedHeaders(text)["Subject"], subject)
    }

    func testHeaderInjectionIsRefused() {
        let renderer = Self.renderer
        func refused(_ change: (inout MailMessage) -> Void) -> MailMessageError? {
            var message = Self.message()
            change(&message)
            do {
                _ = try renderer.render(message)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(refused { $0.subject = "Hi\r\nBcc: victim@example.net" }, .lineBreakInHeader(field: "Subject"))
        XCTAssertEqual(refused { $0.subject = "Hi\nBcc: victim@example.net" }, .lineBreakInHeader(field: "Subject"))
        XCTAssertEqual(refused { $0.to[0].name = "Ada\rBcc: x@example.net" }, .lineBreakInHeader(field: "To"))
        XCTAssertEqual(refused { $0.from.address = "shop@example.com\r\nBcc: x@example.net" }, .lineBreakInHeader(field: "From"))
        XCTAssertEqual(refused { $0.replyTo = MailAddress("a@example.com\n") }, .lineBreakInHeader(field: "Reply-To"))
        XCTAssertEqual(refused { $0.extraHeaders = [.init("X-Tag", "a\r\nBcc: x@example.net")] }, .lineBreakInHeader(field: "X-Tag"))
        XCTAssertEqual(refused { $0.extraHeaders = [.init("Bcc", "x@example.net")] }, .reservedHeader("Bcc"))
        XCTAssertEqual(refused { $0.extraHeaders = [.init("X Tag", "1")] }, .invalidHeaderName("X Tag"))
        XCTAssertEqual(refused { $0.to = [] }, .noRecipients)
        for address in ["not an address", "a@b@c", "ada@", "@example.org", "zoë@example.org", "a..b@example.org", "<a>@example.org",
                        "ada@exa mple.org", "ada@-example.org"] {
            XCTAssertEqual(refused { $0.to = [MailAddress(address)] }, .invalidAddress(field: "To", address: address), address)
        }
        XCTAssertNil(refused { $0.extraHeaders = [.init("X-PayHub-Notification", "ntf_1 — réessai")] })
    }

    func testDotStuffing() {
        XCTAssertEqual(SMTPData.encode("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n")
        XCTAssertEqual(SMTPData.encode(".\r\nend"), "..\r\nend\r\n.\r\n")
        XCTAssertEqual(SMTPData.encode("x.y\r\n"), "x.y\r\n.\r\n")
    }

    func testEHLOCapabilities() {
        let reply = SMTPReply(code: 250, lines: ["mail.example.com Hello", "SIZE 1000", "STARTTLS", "AUTH LOGIN PLAIN", "AUTH=CRAM-MD5", "8BITMIME"])
        let capabilities = SMTPCapabilities(ehlo: reply)
        XCTAssertEqual(capabilities.keywords, ["SIZE", "STARTTLS", "AUTH", "8BITMIME"])
        XCTAssertEqual(capabilities.authMechanisms, ["LOGIN", "PLAIN", "CRAM-MD5"])
    }

    func testTheConfigurationNeverShowsThePassword() {
        let configuration = SMTPConfiguration(
            host: "smtp.example.com", port: 587, security: .starttls, credentials: .init(username: "shop", password: "s3cret-pw"))
        XCTAssertFalse(configuration.description.contains("s3cret-pw"))
        XCTAssertFalse(String(describing: SMTPError.authenticationRefused(SMTPReply(code: 535, lines: ["no"]))).contains("s3cret-pw"))
    }

    // MARK: - Helpers

    /// CRLF only, ASCII only, header lines within 78 characters, every line within 998.
    func assertWellFormed(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(text.utf8.allSatisfy { $0 < 0x80 }, "7-bit", file: file, line: line)
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { XCTAssertEqual(index > 0 ? bytes[index - 1] : 0, 0x0D, "bare LF at \(index)", file: file, line: line) }
            if byte == 0x0D { XCTAssertEqual(index + 1 < bytes.count ? bytes[index + 1] : 0, 0x0A, "bare CR at \(index)", file: file, line: line) }
        }
        let lines = text.components(separatedBy: "\r\n")
        let headerEnd = lines.firstIndex(of: "") ?? lines.count
        for header in lines[..<headerEnd] { XCTAssertLessThanOrEqual(header.count, 78, header, file: file, line: line) }
        for each in lines { XCTAssertLessThanOrEqual(each.utf8.count, 998, file: file, line: line) }
    }

    static func unfoldedHeaders(_ text: String) -> [String: String] {
        let head = text.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
        return headers
    }

    /// Decodes `=?UTF-8?B?...?=` words; the whitespace between two adjacent encoded words is dropped (RFC 2047 6.2).
    static func decodeWords(_ value: String) -> String {
        var output = ""
        var pendingSpace = ""
        var lastWasEncoded = false
        for token in value.split(separator: " ", omittingEmptySubsequences: false) {
            if token.hasPrefix("=?UTF-8?B?"), token.hasSuffix("?="),
               let data = Data(base64Encoded: String(token.dropFirst(10).dropLast(2))), let decoded = String(data: data, encoding: .utf8) {
                output += (lastWasEncoded ? "" : pendingSpace) + decoded
                lastWasEncoded = true
            } else {
                output += pendingSpace + token
                lastWasEncoded = false
            }
            pendingSpace = " "
        }
        return output
    }
}

extension MailRendererTests {
    func testAttachmentsMakeAMixedMessageWithBase64Lines() throws {
        var message = Self.message(html: nil)
        message.attachments = [MailAttachment(filename: "F-2026-000001.pdf", mediaType: "application/pdf", bytes: [UInt8](repeating: 0xFF, count: 100))]
        let text = try Self.renderer.render(message).text
        XCTAssertTrue(text.contains("Content-Type: multipart/mixed;\r\n boundary=\"=_PayHub_mixed_tok123\"\r\n"))
        XCTAssertTrue(text.contains("--=_PayHub_mixed_tok123\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        XCTAssertTrue(text.contains("Content-Disposition: attachment; filename=\"F-2026-000001.pdf\"\r\n\r\n"))
        let base64 = Data([UInt8](repeating: 0xFF, count: 100)).base64EncodedString()
        XCTAssertTrue(text.contains(String(base64.prefix(76)) + "\r\n" + String(base64.dropFirst(76)) + "\r\n"), "76-character lines")
        XCTAssertTrue(text.hasSuffix("\r\n--=_PayHub_mixed_tok123--\r\n"))
        try assertWellFormed(text)
    }

    func testAttachmentNamesThatWouldWriteHeadersAreRefused() {
        for name in ["a\".pdf", "a\r\nBcc: x@y.z", "fattura-ñ.pdf", ""] {
            var message = Self.message()
            message.attachments = [MailAttachment(filename: name, mediaType: "application/pdf", bytes: [1])]
            XCTAssertThrowsError(try Self.renderer.render(message), name)
        }
        var message = Self.message()
        message.attachments = [MailAttachment(filename: "a.pdf", mediaType: "application/pdf\r\nX: y", bytes: [1])]
        XCTAssertThrowsError(try Self.renderer.render(message))
    }
}
