import Foundation
import Vapor

/// An event as `GET /v1/events` shows it; `data.object` is the object right after the change.
struct EventObject: Content {
    struct DataObject: Codable, Sendable {
        var object: RawJSON
    }

    var id: String
    var object = "event"
    var type: String
    var livemode: Bool
    var created: Int64
    var data: DataObject

    init(_ event: EventRecord) {
        id = event.id.rawValue
        type = event.type.rawValue
        livemode = event.scope.livemode
        created = Presenter.unix(event.createdAt)
        data = DataObject(object: RawJSON(event.data))
    }
}

/// JSON text embedded as-is in an encoded response.
struct RawJSON: Codable, Sendable {
    let text: String
    init(_ text: String) { self.text = text }

    init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer().decode(JSONValue.self)
        text = JSONText.encode(value)
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(JSONText.decode(JSONValue.self, from: text) ?? .null)
    }
}

/// Any JSON value.
enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

struct WebhookEndpointObject: Content {
    var id: String
    var object = "webhook_endpoint"
    var livemode: Bool
    var url: String
    @AlwaysEncoded var description: String?
    var enabledEvents: [String]
    var status: String
    @AlwaysEncoded var disabledReason: String?
    /// Only when the endpoint is created or its secret rotated.
    var secret: String?
    var created: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, url, description, status, secret, created
        case enabledEvents = "enabled_events"
        case disabledReason = "disabled_reason"
    }
}

struct DeletedObject: Content {
    var id: String
    var object: String
    var deleted = true
}

struct WebhookDeliveryObject: Content {
    struct Attempt: Codable, Sendable {
        var attemptedAt: Int64
        var statusCode: Int?
        var latencyMS: Int
        var responseExcerpt: String?
        var error: String?
        var succeeded: Bool

        enum CodingKeys: String, CodingKey {
            case error, succeeded
            case attemptedAt = "attempted_at"
            case statusCode = "status_code"
            case latencyMS = "latency_ms"
            case responseExcerpt = "response_excerpt"
        }
    }

    var id: String
    var object = "webhook_delivery"
    var event: String
    var webhookEndpoint: String
    var status: String
    var attemptCount: Int
    var nextAttempt: Int64?
    var attempts: [Attempt]

    init(_ delivery: WebhookDeliveryRecord) {
        id = delivery.id.rawValue
        event = delivery.eventID.rawValue
        webhookEndpoint = delivery.endpointID.rawValue
        status = delivery.status.rawValue
        attemptCount = delivery.attemptCount
        nextAttempt = delivery.status == .pending ? Presenter.unix(delivery.nextAttemptAt) : nil
        attempts = delivery.attempts.map { attempt in
            Attempt(
                attemptedAt: Presenter.unix(attempt.attemptedAt), statusCode: attempt.statusCode,
                latencyMS: attempt.latencyMilliseconds, responseExcerpt: attempt.responseExcerpt, error: attempt.error,
                succeeded: attempt.succeeded)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, event, status, attempts
        case webhookEndpoint = "webhook_endpoint"
        case attemptCount = "attempt_count"
        case nextAttempt = "next_attempt"
    }
}
