import Foundation

/// Keeps every message in memory, rendered exactly as SMTP would carry it (tests read it back).
public final class InMemoryMailOutbox: MailTransport, @unchecked Sendable {
    public struct Entry: Sendable {
        public var message: MailMessage
        public var rendered: RenderedMail
    }

    public let renderer: MailRenderer
    private let lock = NSLock()
    private var stored: [Entry] = []

    public init(renderer: MailRenderer) {
        self.renderer = renderer
    }

    public var sent: [Entry] { lock.withLock { stored } }

    @discardableResult
    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let rendered = try renderer.render(message)
        lock.withLock { stored.append(Entry(message: message, rendered: rendered)) }
        return MailReceipt(messageID: rendered.messageID)
    }
}

/// Writes every message as an `.eml` file into a folder (what the demo does without SMTP): open one with any mail
/// program, or read it as text.
public struct DirectoryMailOutbox: MailTransport {
    public let renderer: MailRenderer
    public let directory: URL
    /// Told the path of each file written (the demo logs it).
    public let announce: @Sendable (_ path: String, _ message: MailMessage) -> Void

    public init(renderer: MailRenderer, directory: URL, announce: @escaping @Sendable (String, MailMessage) -> Void = { _, _ in }) {
        self.renderer = renderer
        self.directory = directory
        self.announce = announce
    }

    @discardableResult
    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let rendered = try renderer.render(message)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Named by time then Message-ID, so a listing is in sending order.
        let stamp = String(Int64(renderer.now().timeIntervalSince1970 * 1000))
        let token = rendered.messageID.dropFirst().prefix { $0 != "@" }
        let file = directory.appendingPathComponent("\(stamp)-\(token).eml")
        try Data(rendered.text.utf8).write(to: file, options: .atomic)
        announce(file.path, message)
        return MailReceipt(messageID: rendered.messageID)
    }
}
