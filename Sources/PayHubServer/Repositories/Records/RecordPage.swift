/// One page of a list, newest first.
struct RecordPage<Item: Sendable>: Sendable {
    var items: [Item]
    var hasMore: Bool
}
