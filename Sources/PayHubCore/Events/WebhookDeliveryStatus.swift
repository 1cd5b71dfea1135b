/// Where one event's delivery to one endpoint stands.
public enum WebhookDeliveryStatus: String, CaseIterable, Codable, Sendable {
    /// Not delivered yet: a try is due or scheduled.
    case pending
    case succeeded
    /// Every try failed, or the receiver answered 410 Gone.
    case failed
    /// The endpoint was disabled or deleted before it was delivered.
    case canceled
}
