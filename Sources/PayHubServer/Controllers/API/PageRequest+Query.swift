import Foundation
import Vapor

extension PageRequest {
    /// Reads the page from a request's query string, strictly: an unknown parameter is refused.
    init(_ request: Request, filters allowed: Set<String> = []) throws {
        let items = URLComponents(string: request.url.string)?.queryItems ?? []
        for item in items {
            let value = item.value ?? ""
            switch item.name {
            case "limit":
                guard let limit = Int(value), (1...100).contains(limit) else {
                    throw ServiceError.invalid("parameter_invalid", "limit must be an integer from 1 to 100.", param: "limit")
                }
                self.limit = limit
            case "starting_after", "ending_before":
                guard !value.isEmpty else {
                    throw ServiceError.invalid("parameter_invalid", "\(item.name) must be the id of an object of the list.", param: item.name)
                }
                if item.name == "starting_after" { startingAfter = value } else { endingBefore = value }
            case "created[gte]", "created[gt]", "created[lte]", "created[lt]", "created":
                guard let seconds = Int64(value) else {
                    throw ServiceError.invalid("parameter_invalid", "\(item.name) must be a unix timestamp in seconds.", param: item.name)
                }
                let date = Date(timeIntervalSince1970: TimeInterval(seconds))
                switch item.name {
                case "created[gte]": createdFrom = date
                case "created[gt]": createdFrom = date; createdFromInclusive = false
                case "created[lte]": createdTo = date
                case "created[lt]": createdTo = date; createdToInclusive = false
                default: createdFrom = date; createdTo = date.addingTimeInterval(0.999)
                }
            default:
                guard allowed.contains(item.name) else {
                    throw ServiceError.invalid("parameter_unknown", "Received unknown parameter: \(item.name)", param: item.name)
                }
                filters[item.name] = value
            }
        }
        if startingAfter != nil && endingBefore != nil {
            throw ServiceError.invalid("parameter_invalid", "Use starting_after or ending_before, not both.", param: "ending_before")
        }
    }
}
