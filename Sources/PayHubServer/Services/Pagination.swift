import Fluent
import Foundation
import Vapor

/// `limit`, `starting_after`, `ending_before` and `created[gte|gt|lte|lt]`, read strictly from a query string.
struct PageRequest: Sendable {
    var limit = 10
    var startingAfter: String?
    var endingBefore: String?
    var createdFrom: Date?
    var createdFromInclusive = true
    var createdTo: Date?
    var createdToInclusive = true
    /// Other accepted filters, by name.
    var filters: [String: String] = [:]

    init() {}
}

/// Cursor pagination over objects with a `created_at` and a string id, newest first.
enum Paginator {
    static func page<M: Model>(
        _ base: @escaping @Sendable () -> QueryBuilder<M>,
        request page: PageRequest,
        created: KeyPath<M, FieldProperty<M, Date>>,
        id: KeyPath<M, IDProperty<M, String>>,
        cursor: (String) async throws -> M?
    ) async throws -> (items: [M], hasMore: Bool) where M.IDValue == String {
        var query = base()
        if let from = page.createdFrom {
            query = page.createdFromInclusive ? query.filter(created >= from) : query.filter(created > from)
        }
        if let to = page.createdTo {
            query = page.createdToInclusive ? query.filter(created <= to) : query.filter(created < to)
        }
        let forward = page.endingBefore == nil
        if let cursorID = page.startingAfter ?? page.endingBefore {
            guard let anchor = try await cursor(cursorID), let anchorID = anchor[keyPath: id].value else {
                throw ServiceError.invalid(
                    "resource_missing", "No such object: '\(cursorID)'", param: forward ? "starting_after" : "ending_before")
            }
            // Timestamps are whole milliseconds, but a Date read back from SQLite may be off by a rounding error:
            // "the same instant" is a window of half a millisecond either side.
            let anchorDate = anchor[keyPath: created].value!
            let earliest = anchorDate.addingTimeInterval(-0.0005)
            let latest = anchorDate.addingTimeInterval(0.0005)
            query = query.group(.or) { group in
                if forward {
                    group.filter(created < earliest)
                    group.group(.and) { $0.filter(created >= earliest).filter(created <= latest).filter(id < anchorID) }
                } else {
                    group.filter(created > latest)
                    group.group(.and) { $0.filter(created >= earliest).filter(created <= latest).filter(id > anchorID) }
                }
            }
        }
        let direction: DatabaseQuery.Sort.Direction = forward ? .descending : .ascending
        var items = try await query.sort(created, direction).sort(id, direction).limit(page.limit + 1).all()
        let hasMore = items.count > page.limit
        if hasMore { items.removeLast() }
        if !forward { items.reverse() }
        return (items, hasMore)
    }
}
