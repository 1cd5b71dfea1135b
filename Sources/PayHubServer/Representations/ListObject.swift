import Vapor

/// `{"object": "list", "data": [...], "has_more": bool}`, newest first.
struct ListObject<Item: Codable & Sendable>: Content {
    var object = "list"
    var data: [Item]
    var hasMore: Bool
    var url: String

    enum CodingKeys: String, CodingKey {
        case object, data, url
        case hasMore = "has_more"
    }
}
