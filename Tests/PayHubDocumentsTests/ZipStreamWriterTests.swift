import Foundation
@testable import PayHubDocuments
import XCTest

/// The streaming ZIP writer, checked by Python's `zipfile` (another implementation) and by its own rules.
final class ZipStreamWriterTests: XCTestCase {
    private func archive(_ entries: [(String, [[UInt8]])]) throws -> [UInt8] {
        var zip = ZipStreamWriter()
        var bytes: [UInt8] = []
        for (name, chunks) in entries {
            bytes += try zip.beginEntry(name: name, modified: .init(year: 2026, month: 12, day: 1, hour: 17, minute: 30, second: 10))
            for chunk in chunks { bytes += try zip.write(chunk) }
            bytes += try zip.endEntry()
        }
        bytes += try zip.finish()
        return bytes
    }

    private func python(_ script: String, _ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString).zip").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: data, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }

    func testPythonReadsEveryEntryWithItsCRCAndUTF8Name() throws {
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bytes = try archive([
            ("F-2026-000001.pdf", [Array("%PDF-1.7\n".utf8), Array("hello".utf8)]),
            ("Groß-Łódź.txt", [Array("ñ".utf8)]),
            ("empty.txt", []),
            ("dir/big.bin", [Array(big[..<70_000]), Array(big[70_000...])]),
        ])
        let output = try python("""
            import sys, zipfile, hashlib
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for i in z.infolist():
                assert i.compress_type == zipfile.ZIP_STORED and i.flag_bits & 0x08 and i.flag_bits & 0x800, i
                print(i.filename, i.file_size, hashlib.sha256(z.read(i)).hexdigest()[:12], i.date_time)
            """, bytes)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, output)
        XCTAssertTrue(lines[0].hasPrefix("F-2026-000001.pdf 14 "))
        XCTAssertTrue(lines[0].hasSuffix("(2026, 12, 1, 17, 30, 10)"))
        XCTAssertTrue(lines[1].hasPrefix("Groß-Łódź.txt 2 "))
        XCTAssertTrue(lines[2].hasPrefix("empty.txt 0 "))
        XCTAssertTrue(lines[3].hasPrefix("dir/big.bin 200000 "))
    }

    func testAnEmptyArchiveIsValid() throws {
        XCTAssertEqual(try python("import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))", try archive([])), "0\n")
    }

    func testTheCRC32IsTheStandardOne() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        var split = CRC32()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8))
        XCTAssertEqual(split.value, 0xCBF4_3926)
    }

    func testRefusesUnsafeNamesAndMisuse() throws {
        var zip = ZipStreamWriter()
        let stamp = ZipStreamWriter.Timestamp(year: 2026, month: 1, day: 1)
        for name in ["", "/etc/passwd", "../up.txt", "a/../../b", "nul\u{0}.txt"] {
            XCTAssertThrowsError(try zip.beginEntry(name: name, modified: stamp), name)
        }
        XCTAssertThrowsError(try zip.write([1]))
        XCTAssertThrowsError(try zip.endEntry())
        _ = try zip.beginEntry(name: "a", modified: stamp)
        XCTAssertThrowsError(try zip.beginEntry(name: "b", modified: stamp), "one entry at a time")
        XCTAssertThrowsError(try zip.finish(), "not while an entry is open")
    }

    func testTheWriterKeepsOnlyTheCentralDirectory() throws {
        var zip = ZipStreamWriter()
        let stamp = ZipStreamWriter.Timestamp(year: 2026, month: 1, day: 1)
        for index in 0..<1_000 {
            _ = try zip.beginEntry(name: "F-2026-\(String(format: "%06d", index)).pdf", modified: stamp)
            _ = try zip.write([UInt8](repeating: 7, count: 10_000))
            _ = try zip.endEntry()
        }
        XCTAssertEqual(zip.retainedBytes, 1_000 * (46 + "F-2026-000000.pdf".utf8.count), "10 MB of data went through; only the directory stays")
    }
}
