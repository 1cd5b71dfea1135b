import PayHubCore

/// A seller (`AccountingSupplierParty`) or buyer (`AccountingCustomerParty`) as Peppol BIS Billing 3.0 wants it:
/// its electronic address, postal address, VAT identifier, legal entity and contact.
struct UBLParty {
    enum Role: String {
        case seller, buyer
    }

    let party: InvoiceParty
    let role: Role
    private let name: String
    private let endpoint: ElectronicAddress
    private let address: PostalAddress
    private let addressLines: [String]
    /// Nil on a document whose lines are all outside the scope of VAT (BR-O-02, BR-O-03: no VAT identifiers).
    private let vatID: String?

    /// Checks the party, so that writing it cannot fail.
    init(_ party: InvoiceParty, role: Role, writesVATIdentifier: Bool) throws(InvoiceExportRefused) {
        func refused(_ field: String, _ message: String) -> InvoiceExportRefused {
            InvoiceExportRefused(format: .ubl, field: "\(role.rawValue).\(field)", message: message)
        }
        self.party = party
        self.role = role
        guard let name = EInvoiceText.line(party.name) else { throw refused("name", "A name is required (BT-27, BT-44).") }
        self.name = name
        endpoint = try Self.endpoint(of: party, refused: refused)
        guard let address = party.address else { throw refused("address", "A postal address with its country is required (BG-5, BG-8).") }
        guard EInvoiceText.matches(address.countryCode, length: 2...2, EInvoiceText.isUpperLetter) else {
            throw refused("address.country_code", "An ISO 3166-1 alpha-2 code in upper case is required.")
        }
        self.address = address
        addressLines = address.lines.compactMap(EInvoiceText.line)
        if let vatID = party.vatID, !UBLCodes.isVATIdentifier(vatID) {
            throw refused("vat_id", "A VAT identifier starts with its country's two capital letters and has no spaces (BR-CO-09).")
        }
        vatID = writesVATIdentifier ? party.vatID : nil
    }

    func write(to writer: inout XMLWriter) {
        let lines = addressLines
        writer.element("cac:Party") { writer in
            writer.element("cbc:EndpointID", endpoint.identifier, attributes: ["schemeID": endpoint.scheme])
            writer.element("cac:PostalAddress") { writer in
                writer.element("cbc:StreetName", ifPresent: lines.first)
                writer.element("cbc:AdditionalStreetName", ifPresent: lines.dropFirst().first)
                writer.element("cbc:CityName", ifPresent: EInvoiceText.line(address.city))
                writer.element("cbc:PostalZone", ifPresent: EInvoiceText.line(address.postalCode))
                writer.element("cbc:CountrySubentity", ifPresent: EInvoiceText.line(address.region))
                if lines.count > 2 {
                    writer.element("cac:AddressLine") { writer in
                        writer.element("cbc:Line", lines.dropFirst(2).joined(separator: ", "))
                    }
                }
                writer.element("cac:Country") { writer in
                    writer.element("cbc:IdentificationCode", address.countryCode)
                }
            }
            if let vatID {
                writer.element("cac:PartyTaxScheme") { writer in
                    writer.element("cbc:CompanyID", vatID)
                    writer.element("cac:TaxScheme") { writer in writer.element("cbc:ID", "VAT") }
                }
            }
            writer.element("cac:PartyLegalEntity") { writer in
                writer.element("cbc:RegistrationName", name)
                writer.element("cbc:CompanyID", ifPresent: EInvoiceText.line(party.taxCode))
            }
            let phone = EInvoiceText.line(party.phone), email = EInvoiceText.line(party.email)
            if phone != nil || email != nil {
                writer.element("cac:Contact") { writer in
                    writer.element("cbc:Telephone", ifPresent: phone)
                    writer.element("cbc:ElectronicMail", ifPresent: email)
                }
            }
        }
    }

    /// The party's electronic address (BT-34, BT-49; Peppol requires both, PEPPOL-EN16931-R020 and R010); for a
    /// party without one, its email address with scheme `EM`.
    private static func endpoint(of party: InvoiceParty, refused: (String, String) -> InvoiceExportRefused) throws(InvoiceExportRefused) -> ElectronicAddress {
        if let address = party.electronicAddress {
            guard UBLCodes.isElectronicAddressScheme(address.scheme) else {
                throw refused("electronic_address.scheme", "'\(address.scheme)' is not an EAS scheme code (four digits, or two capital letters like EM).")
            }
            guard let identifier = EInvoiceText.line(address.identifier), !identifier.contains(" ") else {
                throw refused("electronic_address.identifier", "An identifier without spaces is required.")
            }
            return ElectronicAddress(scheme: address.scheme, identifier: identifier)
        }
        if let email = EInvoiceText.line(party.email), looksLikeEmail(email) {
            return ElectronicAddress(scheme: "EM", identifier: email)
        }
        throw refused("electronic_address", "Peppol needs an electronic address, or at least an email address.")
    }

    static func looksLikeEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !value.contains(" ")
    }
}
