import NIOConcurrencyHelpers

/// Values decoded from JSON text that is read again and again (a checkout session's line items, read by each of
/// its pages and by the pending page's poller; an endpoint's event filters, read by every event). The memo is
/// keyed by the text itself, and the same text always decodes to the same value, so a changed column is simply
/// another text. Each text is decoded once and kept, up to `byteLimit` bytes of text in all; past that the memo
/// starts again empty.
final class DecodedJSONMemo<Value: Decodable & Sendable>: Sendable {
    private struct Store {
        var values: [String: Value] = [:]
        var bytes = 0
    }

    private let store = NIOLockedValueBox(Store())
    let byteLimit: Int

    init(byteLimit: Int = 512 << 10) {
        self.byteLimit = byteLimit
    }

    /// The value of `text`; nil when it is not valid JSON of `Value` (never kept).
    func decode(_ text: String) -> Value? {
        if let value = store.withLockedValue({ $0.values[text] }) { return value }
        guard let value = JSONText.decode(Value.self, from: text) else { return nil }
        let size = text.utf8.count
        store.withLockedValue { store in
            if store.bytes + size > byteLimit { store = Store() }
            guard size <= byteLimit else { return }
            if store.values.updateValue(value, forKey: text) == nil { store.bytes += size }
        }
        return value
    }
}
