import PayHubCore

/// Where the hosted checkout pages live: the one place their paths are written.
enum CheckoutPagePaths {
    /// The page a shop sends its customer to, to pay a session.
    static func session(_ id: CheckoutSessionID) -> String { "/checkout/\(id.rawValue)" }

    /// That page's public URL (`PAYHUB_PUBLIC_URL` and the path).
    static func sessionURL(_ id: CheckoutSessionID, publicBaseURL: String) -> String { publicBaseURL + session(id) }
}
