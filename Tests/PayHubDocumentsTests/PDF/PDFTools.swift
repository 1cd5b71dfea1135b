import Foundation
import XCTest

/// Debian's qpdf and poppler-utils, run as processes on a rendered PDF. A test that needs one skips, saying
/// which, where it is not installed (fails instead when PAYHUB_REQUIRE_PDF_TOOLS is set).
enum PDFTools {
    static func path(_ tool: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        let package = tool == "qpdf" ? "qpdf" : "poppler-utils"
        // CI sets PAYHUB_REQUIRE_PDF_TOOLS so that a missing install step fails instead of skipping.
        if ProcessInfo.processInfo.environment["PAYHUB_REQUIRE_PDF_TOOLS"] != nil {
            throw PDFToolFailed(output: "\(tool) is not installed (apt-get install \(package)) and PAYHUB_REQUIRE_PDF_TOOLS is set")
        }
        throw XCTSkip("\(tool) is not installed (apt-get install \(package)): skipping the check that needs it")
    }

    struct Result {
        var status: Int32
        /// Standard output and then standard error, as text.
        var output: String
        /// Standard output alone.
        var data: Data
    }

    /// Runs `tool` with `arguments`, `{pdf}` replaced by a temporary file holding `pdf` and `{out}` by a path
    /// in the same temporary folder; `outputFile` is read back from that folder into `data` when given.
    static func run(_ tool: String, _ arguments: [String], pdf: [UInt8], outputFile: String? = nil) throws -> Result {
        let executable = try path(tool)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("payhub-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("document.pdf")
        try Data(pdf).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments.map { $0 == "{pdf}" ? file.path : $0 == "{out}" ? directory.appendingPathComponent("out").path : $0 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let messages = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data + messages, as: UTF8.self)
        if let outputFile {
            let written = (try? Data(contentsOf: directory.appendingPathComponent(outputFile))) ?? Data()
            return Result(status: process.terminationStatus, output: text, data: written)
        }
        return Result(status: process.terminationStatus, output: text, data: data)
    }

    /// `qpdf --check`: fails the test with qpdf's words unless the file is sound.
    static func assertValid(_ pdf: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run("qpdf", ["--check", "{pdf}"], pdf: pdf)
        XCTAssertEqual(result.status, 0, "qpdf --check failed:\n\(result.output)", file: file, line: line)
        XCTAssertTrue(result.output.contains("No syntax or stream encoding errors found"), result.output, file: file, line: line)
        XCTAssertFalse(result.output.contains("WARNING"), result.output, file: file, line: line)
    }

    /// The text of every page (`pdftotext -layout`), pages separated by form feeds.
    static func text(_ pdf: [UInt8]) throws -> String {
        let result = try run("pdftotext", ["-enc", "UTF-8", "-layout", "{pdf}", "-"], pdf: pdf)
        guard result.status == 0 else { throw PDFToolFailed(output: result.output) }
        return result.output
    }

    /// The colour pdftoppm draws at point (`x`, `y`) from the top left of page 1, at 72 dpi (one pixel a point).
    static func pixel(_ pdf: [UInt8], x: Int, y: Int) throws -> [Int] {
        let ppm = try run("pdftoppm", ["-f", "1", "-l", "1", "-r", "72", "-x", "\(x)", "-y", "\(y)", "-W", "1", "-H", "1", "{pdf}"], pdf: pdf).data
        return Array(ppm.suffix(3)).map(Int.init)
    }

    struct PDFToolFailed: Error { var output: String }
}
