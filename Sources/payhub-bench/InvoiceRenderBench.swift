import ArgumentParser
import Foundation
import PayHubCore
import PayHubDocuments

/// Times the invoice renderers in this process: a realistic invoice (two lines, an Italian seller, a buyer with a
/// non-ASCII name and address, a card payment, a note, optionally the merchant's logo) in each of the five
/// languages, rendered as PDF, UBL and FatturaPA. Prints renders/s and µs per document for each renderer (the
/// median of several rounds), and a checksum of every output so that two builds can be compared byte for byte.
struct InvoiceRenderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice-render", abstract: "Time the PDF, UBL and FatturaPA renderers on a realistic invoice in the five languages.")

    @Option(help: "Documents per round and renderer (each round cycles through the five languages).") var iterations = 2_000
    @Option(help: "Rounds; the median is reported.") var rounds = 5
    @Option(help: "A PNG or JPEG file drawn as the seller's logo in the PDF.") var logo: String?
    @Option(help: "Only these formats (pdf, ubl, fatturapa); all by default.") var only: [String] = []

    func validate() throws {
        for format in only where InvoiceFormat(rawValue: format) == nil {
            throw ValidationError("--only \(format): the formats are \(InvoiceFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let documents = try CustomerLocale.allCases.map { try Self.invoice(locale: $0, logo: logo.map(Self.logo(at:))) }
        let renderers: [any InvoiceRenderer] = [InvoicePDFRenderer(), UBLInvoiceRenderer(), FatturaPARenderer()].filter {
            only.isEmpty || only.contains($0.format.rawValue)
        }
        for renderer in renderers {
            // One render per language before timing: the checksum, and whatever a first render sets up.
            var checksum = Checksum()
            var bytes = 0
            for document in documents {
                let output = try renderer.render(document)
                checksum.add(output)
                bytes += output.count
            }
            var perDocument: [Double] = []
            for _ in 0..<rounds {
                let clock = ContinuousClock()
                let started = clock.now
                var sink = 0
                for iteration in 0..<iterations {
                    sink &+= try renderer.render(documents[iteration % documents.count]).count
                }
                precondition(sink > 0)
                let elapsed = clock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                perDocument.append(seconds / Double(iterations))
            }
            perDocument.sort()
            let median = perDocument[perDocument.count / 2]
            print(String(format: "%@: %.0f renders/s, %.1f µs per document (median of %d rounds of %d; best %.1f µs, worst %.1f µs); %d bytes for the five languages, checksum %016llx",
                         renderer.format.rawValue, 1 / median, median * 1e6, rounds, iterations, perDocument[0] * 1e6,
                         perDocument[perDocument.count - 1] * 1e6, bytes, checksum.value))
        }
    }

    static func logo(at path: String) throws -> InvoiceLogo {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let type: InvoiceLogo.MediaType = bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? .png : .jpeg
        return InvoiceLogo(mediaType: type, bytes: bytes)
    }

    /// What a card payment of a subscription and an add-on gives: valid for the three formats.
    static func invoice(locale: CustomerLocale, logo: InvoiceLogo?) throws -> InvoiceDocument {
        let seller = InvoiceParty(
            name: "Bottega Ñandú S.r.l.", address: PostalAddress(lines: ["Via Roma 1"], city: "Milano", postalCode: "20121", region: "MI", countryCode: "IT"),
            vatID: "IT01234567897", taxCode: "01234567897", email: "fatture@bottega.example", phone: "+39 02 1234567",
            electronicAddress: ElectronicAddress(scheme: "0211", identifier: "IT01234567897"), fiscalRegime: "RF01")
        let buyer = InvoiceParty(
            name: "Zoë Łukasiewicz-Müller GmbH", address: PostalAddress(lines: ["Straße des 17. Juni 135"], city: "Berlin", postalCode: "10623", countryCode: "DE"),
            vatID: "DE123456789", email: "einkauf@zoe.example", electronicAddress: ElectronicAddress(scheme: "9930", identifier: "DE123456789"))
        let items = [
            InvoiceLineItem(description: "Abbonamento „Premium“ — mensile, con assistenza prioritaria", quantity: 1, unitAmount: 4_990,
                            vatRate: try VATRate(basisPoints: 2_200), amountIncludesVAT: false),
            InvoiceLineItem(description: "Spazio aggiuntivo 50 GB", quantity: 2, unitAmount: 1_250, vatRate: try VATRate(basisPoints: 2_200), amountIncludesVAT: false),
        ]
        let date = CalendarDate(year: 2026, month: 12, day: 1)
        return InvoiceDocument(
            kind: .invoice, number: "2026-000123", issueDate: date, seller: seller, buyer: buyer,
            amounts: try InvoiceAmounts.compute(items, currency: try Currency(code: "EUR")),
            payment: InvoicePayment(date: date, method: "card", methodDisplay: "visa •••• 4242", transactionID: "pi_01JDXK4Q8ZP3M7", provider: "stripe",
                                    providerReference: "ch_3QKZ9d2eZvKYlo2C1a2b3c4d"),
            creditedInvoice: nil, locale: locale, note: "Grazie per l'acquisto. Payment received — nothing left to pay.", logo: logo)
    }

    /// 64-bit FNV-1a over every output in order.
    struct Checksum {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        mutating func add(_ bytes: [UInt8]) {
            for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
    }
}
