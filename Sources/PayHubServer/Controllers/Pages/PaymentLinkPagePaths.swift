import PayHubCore

/// Where payment links' pages live: the one place their paths are written.
enum PaymentLinkPagePaths {
    /// The page a customer opens to pay a link.
    static func link(_ id: PaymentLinkID) -> String { "/l/\(id.rawValue)" }

    /// That page's public URL (`PAYHUB_PUBLIC_URL` and the path).
    static func linkURL(_ id: PaymentLinkID, publicBaseURL: String) -> String { publicBaseURL + link(id) }
}
