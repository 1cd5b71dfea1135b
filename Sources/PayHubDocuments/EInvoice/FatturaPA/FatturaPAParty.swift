import PayHubCore

/// The seller (`CedentePrestatore`, always Italian) or the buyer (`CessionarioCommittente`) checked against the
/// FatturaPA 1.2.2 schema: names and addresses in Latin-1 (other letters transliterated, `EInvoiceText.latin1`), the
/// schema's lengths and patterns. The joined address lines are cut to the 60 characters of `Indirizzo`; a name longer
/// than `Denominazione`'s 80 or a city longer than `Comune`'s 60 is refused, since cutting would change them.
struct FatturaPAParty {
    enum Role: String {
        case seller, buyer
    }

    struct TaxIdentifier {
        var country: String, code: String
    }

    /// What a buyer abroad without a tax number is identified by.
    static let placeholderIdentifier = "99999999999"

    let role: Role
    let name: String
    let vatID: TaxIdentifier?
    /// The codice fiscale, Italian parties only.
    let taxCode: String?
    private let foreignIdentifier: TaxIdentifier?
    let street: String, postalCode: String, city: String, province: String?, country: String

    private static func refused(_ role: Role, _ field: String, _ message: String) -> InvoiceExportRefused {
        InvoiceExportRefused(format: .fatturapa, field: "\(role.rawValue).\(field)", message: message)
    }

    /// One line of text in Latin-1 (`EInvoiceText.latin1`), refused as `field` when it cannot be or is longer than `maximum`.
    static func latin1(_ value: String?, field: String, maximum: Int = .max) throws(InvoiceExportRefused) -> String? {
        guard let line = EInvoiceText.line(value) else { return nil }
        guard let latin = EInvoiceText.latin1(line) else {
            throw InvoiceExportRefused(format: .fatturapa, field: field, message: "'\(line)' has characters outside Latin-1 without a Latin-1 form; FatturaPA cannot hold them.")
        }
        guard latin.unicodeScalars.count <= maximum else {
            throw InvoiceExportRefused(format: .fatturapa, field: field, message: "At most \(maximum) characters (FatturaPA).")
        }
        return latin
    }

    init(_ party: InvoiceParty, role: Role) throws(InvoiceExportRefused) {
        self.role = role
        guard let name = try Self.latin1(party.name, field: "\(role.rawValue).name", maximum: 80) else {
            throw Self.refused(role, "name", "A name is required (Denominazione).")
        }
        self.name = name
        guard let address = party.address else { throw Self.refused(role, "address", "A postal address is required (Sede).") }
        guard EInvoiceText.matches(address.countryCode, length: 2...2, EInvoiceText.isUpperLetter) else {
            throw Self.refused(role, "address.country_code", "An ISO 3166-1 alpha-2 code in upper case is required (Nazione).")
        }
        country = address.countryCode
        let italian = country == "IT"
        let lines = address.lines.compactMap(EInvoiceText.line).joined(separator: ", ")
        guard let street = try Self.latin1(lines, field: "\(role.rawValue).address.lines") else {
            throw Self.refused(role, "address.lines", "A street address is required (Indirizzo).")
        }
        self.street = EInvoiceText.truncated(street, to: 60)
        guard let city = try Self.latin1(address.city, field: "\(role.rawValue).address.city", maximum: 60) else {
            throw Self.refused(role, "address.city", "A city is required (Comune).")
        }
        self.city = city
        // CAP: five digits; an address abroad without such a code is written with 00000, as the SDI asks.
        let postalCode = address.postalCode.flatMap(EInvoiceText.line) ?? ""
        if EInvoiceText.matches(postalCode, length: 5...5, EInvoiceText.isDigit) {
            self.postalCode = postalCode
        } else if italian {
            throw Self.refused(role, "address.postal_code", "An Italian postal code (CAP) has five digits.")
        } else {
            self.postalCode = "00000"
        }
        // Provincia: the two-letter code of an Italian province; a region abroad is not written.
        let region = address.region.flatMap(EInvoiceText.line)
        if italian, let region {
            guard EInvoiceText.matches(region, length: 2...2, EInvoiceText.isUpperLetter) else {
                throw Self.refused(role, "address.region", "An Italian province is its two-letter code, e.g. MI (Provincia).")
            }
        }
        province = italian ? region : nil

        if let vatID = party.vatID {
            let scalars = Array(vatID.unicodeScalars)
            guard scalars.count >= 3, scalars.count <= 30, scalars.prefix(2).allSatisfy(EInvoiceText.isUpperLetter),
                  scalars.dropFirst(2).allSatisfy(EInvoiceText.isAlphanumeric)
            else { throw Self.refused(role, "vat_id", "A VAT number is its country's two capital letters and up to 28 letters or digits (IdFiscaleIVA).") }
            self.vatID = TaxIdentifier(country: String(vatID.prefix(2)), code: String(vatID.dropFirst(2)))
        } else {
            self.vatID = nil
        }
        // The codice fiscale is Italian; a party abroad is identified in IdFiscaleIVA by its own tax number, or by
        // the placeholder 99999999999 without one (Assosoftware's answer of 7 May 2019 on cross-border invoices).
        if let taxCode = party.taxCode, italian {
            guard EInvoiceText.matches(taxCode, length: 11...16, EInvoiceText.isUpperAlphanumeric) else {
                throw Self.refused(role, "tax_code", "A codice fiscale is 11 to 16 capital letters or digits.")
            }
        } else if let taxCode = party.taxCode {
            guard EInvoiceText.matches(taxCode, length: 1...28, EInvoiceText.isAlphanumeric) else {
                throw Self.refused(role, "tax_code", "A tax number abroad is written as up to 28 letters or digits (IdCodice).")
            }
        }
        taxCode = italian ? party.taxCode : nil
        if self.vatID == nil, !italian {
            foreignIdentifier = TaxIdentifier(country: country, code: party.taxCode ?? Self.placeholderIdentifier)
        } else {
            foreignIdentifier = nil
        }
    }

    /// `IdFiscaleIVA`: the VAT number, or for a party abroad without one its tax number or the placeholder.
    var taxIdentifier: TaxIdentifier? { vatID ?? foreignIdentifier }

    /// `Sede`.
    func writeAddress(to writer: inout XMLWriter) {
        writer.element("Sede") { writer in
            writer.element("Indirizzo", street)
            writer.element("CAP", postalCode)
            writer.element("Comune", city)
            writer.element("Provincia", ifPresent: province)
            writer.element("Nazione", country)
        }
    }

    static func write(_ identifier: TaxIdentifier, to writer: inout XMLWriter) {
        writer.element("IdFiscaleIVA") { writer in
            writer.element("IdPaese", identifier.country)
            writer.element("IdCodice", identifier.code)
        }
    }
}
