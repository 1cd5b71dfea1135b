import Foundation
import SQLKit

/// Cursor pagination in SQL, newest first, over a table with `merchant_id`, `livemode`, `created_at` and a string
/// `id`: the list endpoints' `limit`, `starting_after`, `ending_before` and `created[...]` inside one tenant scope.
enum ScopedPage {
    /// The rows of one page and whether more follow. `filters` are extra conditions (`status = ...`), ANDed.
    static func rows(
        from table: String, columns: String, in scope: TenantScope, filters: [SQLQueryString] = [],
        page: PageRequest, on db: any SQLDatabase
    ) async throws -> (rows: [any SQLRow], hasMore: Bool) {
        var conditions: [SQLQueryString] = [
            "merchant_id = \(bind: scope.merchantID)", "livemode = \(bind: scope.livemode)",
        ]
        conditions += filters
        if let from = page.createdFrom {
            conditions.append(page.createdFromInclusive ? "created_at >= \(bind: from)" : "created_at > \(bind: from)")
        }
        if let to = page.createdTo {
            conditions.append(page.createdToInclusive ? "created_at <= \(bind: to)" : "created_at < \(bind: to)")
        }
        let forward = page.endingBefore == nil
        if let cursorID = page.startingAfter ?? page.endingBefore {
            guard let anchor = try await db.raw(ScopedSelect.byID(cursorID, from: table, columns: "created_at", in: scope)).first() else {
                throw ServiceError.invalid(
                    "resource_missing", "No such object: '\(cursorID)'", param: forward ? "starting_after" : "ending_before")
            }
            let anchorDate = try anchor.decode(column: "created_at", as: Date.self)
            // Timestamps are whole milliseconds, but a Date read back from SQLite may be off by a rounding error:
            // "the same instant" is a window of half a millisecond either side.
            let earliest = anchorDate.addingTimeInterval(-0.0005)
            let latest = anchorDate.addingTimeInterval(0.0005)
            conditions.append(forward
                ? "(created_at < \(bind: earliest) OR (created_at >= \(bind: earliest) AND created_at <= \(bind: latest) AND id < \(bind: cursorID)))"
                : "(created_at > \(bind: latest) OR (created_at >= \(bind: earliest) AND created_at <= \(bind: latest) AND id > \(bind: cursorID)))")
        }
        var whereClause = SQLQueryString("")
        for (index, condition) in conditions.enumerated() {
            whereClause = index == 0 ? condition : "\(whereClause) AND \(condition)"
        }
        let direction = forward ? "DESC" : "ASC"
        var rows = try await db.raw("""
            SELECT \(unsafeRaw: columns) FROM \(ident: table) WHERE \(whereClause) \
            ORDER BY created_at \(unsafeRaw: direction), id \(unsafeRaw: direction) LIMIT \(bind: page.limit + 1)
            """).all()
        let hasMore = rows.count > page.limit
        if hasMore { rows.removeLast() }
        if !forward { rows.reverse() }
        return (rows, hasMore)
    }
}
