import Foundation

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
