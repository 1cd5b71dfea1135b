import Foundation
import NIOCore
import NIOPosix
import NIOSSL
@testable import PayHubMail
import XCTest

/// The SMTP client against a real server: aiosmtpd, started by each test (skipped without python3 and aiosmtpd).
final class SMTPClientTests: XCTestCase {
    let renderer = MailRendererTests.renderer

    func configuration(_ sink: SMTPSink, security: SMTPConfiguration.Security = .none, credentials: SMTPConfiguration.Credentials? = nil)
        throws -> SMTPConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if security != .none {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(sink.certificatePath))
        }
        return SMTPConfiguration(
            host: "127.0.0.1", port: sink.port, security: security, credentials: credentials, heloName: "payhub.test", timeout: 10, tls: tls)
    }

    func testDeliversAMultipartMessageThatAParserReadsBack() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var message = MailRendererTests.message(
            subject: "Paiement reçu — merci", text: "Bonjour Zoë,\n.a line that starts with a dot\n..and two\nMerci.\n",
            html: "<p>Bonjour Zoë,</p>\n.<p>dot</p>")
        message.to = [MailAddress("zoe@example.org", name: "Zoë Müller"), MailAddress("bob@example.org")]
        message.replyTo = MailAddress("support@example.com", name: "Support")
        message.extraHeaders = [.init("X-PayHub-Notification", "ntf_123")]
        let transport = try SMTPMailTransport(renderer: renderer, configuration: configuration(sink))
        let receipt = try await transport.send(message)

        let received = try sink.messages()
        XCTAssertEqual(received.count, 1)
        let mail = try XCTUnwrap(received.first)
        XCTAssertEqual(mail["defects"] as? [String], [], "Python's parser found no defect")
        XCTAssertEqual(mail["mail_from"] as? String, "shop@example.com")
        XCTAssertEqual(mail["rcpt_tos"] as? [String], ["zoe@example.org", "bob@example.org"])
        XCTAssertEqual(mail["subject"] as? String, "Paiement reçu — merci")
        XCTAssertEqual(mail["from"] as? String, "Example Shop <shop@example.com>")
        XCTAssertEqual(mail["to"] as? [String], ["Zoë Müller <zoe@example.org>", "bob@example.org"])
        XCTAssertEqual(mail["reply_to"] as? String, "Support <support@example.com>")
        XCTAssertEqual(mail["message_id"] as? String, receipt.messageID)
        XCTAssertEqual(mail["date_timestamp"] as? Double, 1_800_000_000)
        XCTAssertEqual(mail["mime_version"] as? String, "1.0")
        XCTAssertEqual(mail["content_type"] as? String, "multipart/alternative")
        XCTAssertEqual((mail["extra"] as? [String: String])?["X-PayHub-Notification"], "ntf_123")
        let parts = try XCTUnwrap(mail["parts"] as? [[String: Any]])
        XCTAssertEqual(parts.map { $0["content_type"] as? String }, ["text/plain", "text/html"])
        XCTAssertEqual(parts.map { $0["charset"] as? String }, ["utf-8", "utf-8"])
        XCTAssertEqual(Self.lines(parts[0]["content"]), "Bonjour Zoë,\n.a line that starts with a dot\n..and two\nMerci.\n",
                       "dot-stuffing is undone by the server")
        XCTAssertEqual(Self.lines(parts[1]["content"]), "<p>Bonjour Zoë,</p>\n.<p>dot</p>\n")
        XCTAssertEqual(mail["tls"] as? Bool, false)
    }

    func testSTARTTLSAndAuthentication() async throws {
        let sink = try await SMTPSink.start(security: "starttls", user: "shop", password: "s3cret")
        defer { sink.stop() }
        let transport = try SMTPMailTransport(
            renderer: renderer, configuration: configuration(sink, security: .starttls, credentials: .init(username: "shop", password: "s3cret")))
        try await transport.send(MailRendererTests.message())
        let mail = try XCTUnwrap(try sink.messages().first)
        XCTAssertEqual(mail["tls"] as? Bool, true)
        XCTAssertEqual(mail["authenticated"] as? Bool, true)
        XCTAssertEqual(mail["subject"] as? String, "Your payment link")

        let wrong = try SMTPMailTransport(
            renderer: renderer, configuration: configuration(sink, security: .starttls, credentials: .init(username: "shop", password: "nope")))
        await assertSMTPError(try await wrong.send(MailRendererTests.message())) { error in
            guard case .authenticationRefused(let reply) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(reply.code, 535)
            XCTAssertFalse(error.isTransient)
        }
        XCTAssertEqual(try sink.messages().count, 1)
    }

    func testImplicitTLS() async throws {
        let sink = try await SMTPSink.start(security: "tls")
        defer { sink.stop() }
        let transport = try SMTPMailTransport(renderer: renderer, configuration: configuration(sink, security: .tls))
        try await transport.send(MailRendererTests.message())
        XCTAssertEqual(try sink.messages().first?["tls"] as? Bool, true)
    }

    func testAnUntrustedCertificateIsATLSFailure() async throws {
        let sink = try await SMTPSink.start(security: "tls")
        defer { sink.stop() }
        var untrusted = try configuration(sink, security: .tls)
        untrusted.tls = .makeClientConfiguration()
        let transport = try SMTPMailTransport(renderer: renderer, configuration: untrusted)
        await assertSMTPError(try await transport.send(MailRendererTests.message())) { error in
            guard case .tlsFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try sink.messages().count, 0)
    }

    func testSTARTTLSRequiredButNotOffered() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var plain = try configuration(sink)
        plain.security = .starttls
        let transport = try SMTPMailTransport(renderer: renderer, configuration: plain)
        await assertSMTPError(try await transport.send(MailRendererTests.message())) { XCTAssertEqual($0, .startTLSNotOffered) }
        let withCredentials = try SMTPMailTransport(
            renderer: renderer, configuration: configuration(sink, credentials: .init(username: "a", password: "b")))
        await assertSMTPError(try await withCredentials.send(MailRendererTests.message())) {
            XCTAssertEqual($0, .authenticationRequiresEncryption, "never a password in clear")
        }
    }

    func testRefusedRecipientsArePermanentOrTransient() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let transport = try SMTPMailTransport(renderer: renderer, configuration: configuration(sink))
        var message = MailRendererTests.message()
        message.to = [MailAddress("nobody@example.org")]
        await assertSMTPError(try await transport.send(message)) { error in
            guard case .recipientRefused(let address, let reply) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(address, "nobody@example.org")
            XCTAssertEqual(reply.code, 550)
            XCTAssertFalse(error.isTransient)
        }
        message.to = [MailAddress("ada@example.org"), MailAddress("busy@example.org")]
        await assertSMTPError(try await transport.send(message)) { error in
            guard case .recipientRefused("busy@example.org", let reply) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(reply.code, 450)
            XCTAssertTrue(error.isTransient, "a 4xx reply may pass: the caller retries")
        }
        XCTAssertEqual(try sink.messages().count, 0, "no partial delivery")
    }

    func testAServerThatNeverAnswersTimesOut() async throws {
        // Accepts connections and says nothing.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try XCTUnwrap(silent.localAddress?.port)
        let transport = try SMTPMailTransport(
            renderer: renderer,
            configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, timeout: 0.3))
        let started = Date()
        await assertSMTPError(try await transport.send(MailRendererTests.message())) { error in
            XCTAssertEqual(error, .timedOut(during: "the greeting"))
            XCTAssertTrue(error.isTransient)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testAClosedPortIsAConnectionFailure() async throws {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try XCTUnwrap(probe.localAddress?.port)
        try await probe.close()
        let transport = try SMTPMailTransport(
            renderer: renderer, configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, timeout: 2))
        await assertSMTPError(try await transport.send(MailRendererTests.message())) { error in
            guard case .connectionFailed(_, port, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.isTransient)
        }
    }

    func testAMessageThatCannotBeRenderedIsNotSent() async throws {
        let transport = try SMTPMailTransport(
            renderer: renderer, configuration: SMTPConfiguration(host: "127.0.0.1", port: 1, security: .none, timeout: 1))
        var message = MailRendererTests.message()
        message.subject = "x\r\nBcc: a@example.net"
        do {
            try await transport.send(message)
            XCTFail("sent")
        } catch let error as MailMessageError {
            XCTAssertEqual(error, .lineBreakInHeader(field: "Subject"))
        }
    }

    func testBytesInjectedBeforeTheTLSHandshakeAreRefused() async throws {
        // A man in the middle appends a reply of its own to the server's 220 for STARTTLS.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ScriptedSMTPServer()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let transport = try SMTPMailTransport(
            renderer: renderer,
            configuration: SMTPConfiguration(host: "127.0.0.1", port: try XCTUnwrap(server.localAddress?.port), security: .starttls, timeout: 5))
        await assertSMTPError(try await transport.send(MailRendererTests.message())) { error in
            guard case .tlsFailed(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("STARTTLS"), reason)
        }
    }

    // MARK: - Helpers

    static func lines(_ value: Any?) -> String? {
        (value as? String)?.replacingOccurrences(of: "\r\n", with: "\n")
    }

    func assertSMTPError(
        _ body: @autoclosure () async throws -> some Any, file: StaticString = #filePath, line: UInt = #line, _ check: (SMTPError) -> Void
    ) async {
        do {
            _ = try await body()
            XCTFail("no error", file: file, line: line)
        } catch let error as SMTPError {
            check(error)
        } catch {
            XCTFail("not an SMTPError: \(error)", file: file, line: line)
        }
    }
}

/// Greets, offers STARTTLS, and answers STARTTLS with its 220 followed by an injected reply.
final class ScriptedSMTPServer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var received = ""

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 scripted ESMTP\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += String(buffer: unwrapInboundIn(data))
        while let end = received.range(of: "\r\n") {
            let line = String(received[..<end.lowerBound])
            received.removeSubrange(..<end.upperBound)
            let answer = switch line.prefix(4) {
            case "EHLO": "250-scripted\r\n250 STARTTLS\r\n"
            case "STAR": "220 Go ahead\r\n250 injected\r\n"
            default: "502 Not implemented\r\n"
            }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
        }
    }
}

extension SMTPClientTests {
    func testAnAttachmentTravelsAsMultipartMixedThatAParserReadsBack() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let pdf = Array("%PDF-1.7\n".utf8) + (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var message = MailRendererTests.message(subject: "Fattura F-2026-000001", text: "Gentile Zoë,\nin allegato la fattura.\n", html: "<p>Gentile Zoë</p>")
        message.attachments = [MailAttachment(filename: "F-2026-000001.pdf", mediaType: "application/pdf", bytes: pdf)]
        _ = try await SMTPMailTransport(renderer: renderer, configuration: configuration(sink)).send(message)
        let mail = try XCTUnwrap(try sink.messages().first)
        XCTAssertEqual(mail["defects"] as? [String], [], "Python's parser found no defect")
        XCTAssertEqual(mail["content_type"] as? String, "multipart/mixed")
        let parts = try XCTUnwrap(mail["parts"] as? [[String: Any]])
        XCTAssertEqual(parts.map { $0["content_type"] as? String }, ["multipart/alternative", "application/pdf"])
        let body = try XCTUnwrap(parts[0]["parts"] as? [[String: Any]])
        XCTAssertEqual(body.map { $0["content_type"] as? String }, ["text/plain", "text/html"])
        XCTAssertEqual(Self.lines(body[0]["content"]), "Gentile Zoë,\nin allegato la fattura.\n")
        XCTAssertEqual(parts[1]["filename"] as? String, "F-2026-000001.pdf")
        XCTAssertEqual(parts[1]["disposition"] as? String, "attachment")
        XCTAssertEqual(parts[1]["size"] as? Int, pdf.count)
        XCTAssertEqual((parts[1]["base64"] as? String).flatMap { Data(base64Encoded: $0) }, Data(pdf), "the file arrives byte for byte")
    }
}
