import Foundation
import XCTest

/// A real SMTP server for a test: `smtp_sink.py` (aiosmtpd) on a free port of 127.0.0.1, which parses what it receives
/// with Python's email package. Skips the test when python3 or aiosmtpd is missing.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process
    private let input: Pipe

    var certificatePath: String { directory.appendingPathComponent("cert.pem").path }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_sink.py").path

    static func start(security: String = "none", user: String? = nil, password: String? = nil) async throws -> SMTPSink {
        try requireAiosmtpd()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("payhub-smtp-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = ["python3", script, directory.path, "--security", security]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let input = Pipe()
        process.standardInput = input
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let portFile = directory.appendingPathComponent("port")
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return SMTPSink(port: port, directory: directory, process: process, input: input)
            }
            if !process.isRunning { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        process.terminate()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw NSError(domain: "SMTPSink", code: 1, userInfo: [NSLocalizedDescriptionKey: "smtp_sink.py did not start: \(output)"])
    }

    /// python3 with aiosmtpd, or a skip that says how to get it.
    static func requireAiosmtpd() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import aiosmtpd"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { throw XCTSkip("python3 is not available: the tests against a real SMTP server (aiosmtpd) are SKIPPED") }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            throw XCTSkip("aiosmtpd is not installed (python3 -m pip install aiosmtpd): the tests against a real SMTP server are SKIPPED")
        }
    }

    private init(port: Int, directory: URL, process: Process, input: Pipe) {
        self.port = port
        self.directory = directory
        self.process = process
        self.input = input
    }

    /// The messages received so far, as the Python side parsed them.
    func messages() throws -> [[String: Any]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }
            .sorted { Int($0.dropFirst(8).dropLast(5)) ?? 0 < Int($1.dropFirst(8).dropLast(5)) ?? 0 }
        return try files.map { file in
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
