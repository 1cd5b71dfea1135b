import Fluent
import Foundation

/// The transactional outbox: one row per state change, written in the change's own transaction.
final class EventModel: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "type") var type: String
    @Field(key: "object_id") var objectID: String
    /// The API representation of the object right after the change, JSON.
    @Field(key: "data") var data: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: String, merchantID: String, livemode: Bool, type: String, objectID: String, data: String, createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.livemode = livemode
        self.type = type
        self.objectID = objectID
        self.data = data
        self.createdAt = createdAt
    }
}
