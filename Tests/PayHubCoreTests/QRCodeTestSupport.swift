import Foundation
@testable import PayHubCore
import XCTest

extension QRCode {
    /// Row `y` as segno's fixtures write it: 1 dark, 0 light.
    func row(_ y: Int) -> String {
        String((0..<size).map { isDark(x: $0, y: y) ? "1" : "0" })
    }

    var darkModules: Set<[Int]> {
        Set((0..<size).flatMap { y in (0..<size).filter { isDark(x: $0, y: y) }.map { [$0, y] } })
    }
}

extension QRErrorCorrection {
    init(letter: String) throws {
        switch letter {
        case "L": self = .low
        case "M": self = .medium
        case "Q": self = .quartile
        case "H": self = .high
        default: throw QRFixture.Invalid(detail: "error level \(letter)")
        }
    }
}

/// The files written by Fixtures/make_qr_fixtures.py.
struct QRFixture {
    struct Invalid: Error { let detail: String }

    struct Header: Decodable {
        let text: String, version: Int, error: String, mask: Int
    }

    struct Choice {
        let text: String, correction: QRErrorCorrection, version: Int, mask: Int
    }

    let name: String, text: String, correction: QRErrorCorrection, version: Int, mask: Int
    let rows: [String]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/QR")

    static func forced() throws -> [QRFixture] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("forced-") && $0.hasSuffix(".txt") }.sorted()
        return try names.map { name in
            let lines = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            guard let first = lines.first else { throw Invalid(detail: "\(name) is empty") }
            let header = try JSONDecoder().decode(Header.self, from: Data(first.utf8))
            return QRFixture(name: name, text: header.text, correction: try QRErrorCorrection(letter: header.error),
                             version: header.version, mask: header.mask, rows: Array(lines.dropFirst()))
        }
    }

    static func automatic() throws -> [Choice] {
        let data = try Data(contentsOf: directory.appendingPathComponent("automatic.json"))
        return try JSONDecoder().decode([Header].self, from: data).map {
            Choice(text: $0.text, correction: try QRErrorCorrection(letter: $0.error), version: $0.version, mask: $0.mask)
        }
    }
}

/// Reads back the byte-mode segment at the start of data codewords: mode 0100, the count, the bytes.
enum QRByteSegment {
    static func read(_ codewords: [UInt8], countBits: Int) throws -> [UInt8] {
        var position = 0
        func take(_ length: Int) -> Int {
            var value = 0
            for _ in 0..<length {
                value = value << 1 | Int(codewords[position / 8] >> UInt8(7 - position % 8) & 1)
                position += 1
            }
            return value
        }
        guard take(4) == 0b0100 else { throw QRFixture.Invalid(detail: "not byte mode") }
        let count = take(countBits)
        return (0..<count).map { _ in UInt8(take(8)) }
    }
}

/// Parses the `d` of the SVG's path back into module coordinates; only the commands `svg()` writes are accepted.
enum QRSVGPath {
    static func darkModules(_ svg: String, quietZone: Int, size: Int) throws -> Set<[Int]> {
        guard let start = svg.range(of: ##"<path fill="#000" d=""##)?.upperBound,
              let end = svg[start...].firstIndex(of: "\"") else { throw QRFixture.Invalid(detail: "no path") }
        let run = try NSRegularExpression(pattern: #"M(\d+) (\d+)h(\d+)v1h-(\d+)z"#)
        let path = String(svg[start..<end])
        var modules = Set<[Int]>()
        var covered = 0
        for match in run.matches(in: path, range: NSRange(path.startIndex..., in: path)) {
            let numbers = (1...4).map { Int(path[Range(match.range(at: $0), in: path)!])! }
            guard numbers[2] == numbers[3] else { throw QRFixture.Invalid(detail: "not a rectangle") }
            for x in numbers[0]..<(numbers[0] + numbers[2]) {
                let module = [x - quietZone, numbers[1] - quietZone]
                guard (0..<size).contains(module[0]), (0..<size).contains(module[1]) else {
                    throw QRFixture.Invalid(detail: "module outside the symbol")
                }
                modules.insert(module)
            }
            covered += match.range.length
        }
        guard covered == path.utf16.count else { throw QRFixture.Invalid(detail: "unexpected path commands") }
        return modules
    }
}

/// zbarimg (Debian zbar-tools) reading a PBM picture of the symbol.
struct Zbar {
    let executable: URL

    static func find() -> Zbar? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("zbarimg")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return Zbar(executable: candidate) }
        }
        return nil
    }

    /// Decodes the symbol drawn 4 pixels a module with a 4-module quiet zone; returns what zbarimg printed.
    func decode(_ code: QRCode) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pbm")
        try Self.pbm(code, scale: 4, quietZone: 4).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--raw", "-q", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw QRFixture.Invalid(detail: "zbarimg exited \(process.terminationStatus)") }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Netpbm P4: a text header, then rows of bits packed in bytes, 1 black.
    static func pbm(_ code: QRCode, scale: Int, quietZone: Int) -> Data {
        let side = (code.size + 2 * quietZone) * scale
        var data = Data("P4\n\(side) \(side)\n".utf8)
        let rowBytes = (side + 7) / 8
        for pixelY in 0..<side {
            var row = [UInt8](repeating: 0, count: rowBytes)
            for pixelX in 0..<side where code.isDark(x: pixelX / scale - quietZone, y: pixelY / scale - quietZone) {
                row[pixelX / 8] |= 0x80 >> UInt8(pixelX % 8)
            }
            data.append(contentsOf: row)
        }
        return data
    }
}
