import Foundation
import PayHubCore
import SQLKit
@testable import PayHubServer

/// What the outbox holds, read with SQL for assertions.
struct StoredEvent {
    var id: String
    var type: String
    var objectID: String
    var data: String
}

struct StoredDelivery {
    var id: String
    var endpointID: String
    var status: String
    var nextAttemptAt: Date
}

extension TestHub {
    private var sql: any SQLDatabase { context.transactor.reader(app.db) }

    func storedEvents(objectID: String? = nil, type: String? = nil) async throws -> [StoredEvent] {
        try await sql.raw("SELECT id, type, object_id, data FROM events ORDER BY created_at, id").all().map { row in
            StoredEvent(
                id: try row.decode(column: "id", as: String.self), type: try row.decode(column: "type", as: String.self),
                objectID: try row.decode(column: "object_id", as: String.self), data: try row.decode(column: "data", as: String.self))
        }.filter { (objectID == nil || $0.objectID == objectID) && (type == nil || $0.type == type) }
    }

    func storedDeliveries(endpoint: String? = nil, status: String? = nil) async throws -> [StoredDelivery] {
        try await sql.raw("SELECT id, endpoint_id, status, next_attempt_at FROM webhook_deliveries ORDER BY created_at, id").all().map { row in
            StoredDelivery(
                id: try row.decode(column: "id", as: String.self), endpointID: try row.decode(column: "endpoint_id", as: String.self),
                status: try row.decode(column: "status", as: String.self),
                nextAttemptAt: try row.decode(column: "next_attempt_at", as: Date.self))
        }.filter { (endpoint == nil || $0.endpointID == endpoint) && (status == nil || $0.status == status) }
    }
}
