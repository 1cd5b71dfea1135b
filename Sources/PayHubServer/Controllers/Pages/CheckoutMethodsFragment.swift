import Leaf
import NIOConcurrencyHelpers
import PayHubCore
import Vapor

/// The checkout page's list of methods: Leaf renders `checkout-methods.leaf` once per locale and list of methods
/// (the same for every session that the same rules give the same methods), and the HTML is kept. The page inserts
/// it as it is (`#unsafeHTML`): it is Leaf's own output, with every value in it escaped by Leaf.
enum CheckoutMethodsFragment {
    private static let rendered = NIOLockedValueBox<[String: String]>([:])
    /// Distinct lists kept at most; past it the store starts again empty.
    static let limit = 1024

    static func html(_ methods: [CheckoutPageModel.Method], texts: LeafData, locale: CustomerLocale, request: Request) async throws -> String {
        guard !methods.isEmpty else { return "" }
        // Every field of every method, so a fragment is never reused for a list that renders differently.
        let key = methods.reduce(locale.rawValue) { key, method in
            key + "\u{1}\(method.value)\u{2}\(method.id)\u{2}\(method.label)\u{2}\(method.checked)\u{2}\(method.asksPhone)"
        }
        if let html = rendered.withLockedValue({ $0[key] }) { return html }
        let buffer = try await request.leaf.render(
            path: "checkout-methods", context: ["methods": .array(methods.map(\.leafData)), "t": texts]).get()
        let html = String(buffer: buffer)
        rendered.withLockedValue { rendered in
            if rendered.count >= limit { rendered.removeAll(keepingCapacity: true) }
            rendered[key] = html
        }
        return html
    }
}
