import Foundation

/// When a failed renewal is tried again: `retryDays` days after the first failure (default 1, 3, 5 and 7 days, as
/// the issue asks). After the last retry fails, dunning is exhausted and the subscription ends as configured.
public struct DunningSchedule: Equatable, Sendable, Codable {
    public static let standard = try! DunningSchedule(retryDays: [1, 3, 5, 7])
    public static let maximumRetries = 10
    public static let maximumDays = 60

    public let retryDays: [Int]

    /// Retry days must rise strictly, each between 1 and 60; at most 10 retries; none is allowed (no retry at all).
    public init(retryDays: [Int]) throws(DunningScheduleInvalid) {
        guard retryDays.count <= Self.maximumRetries else { throw DunningScheduleInvalid(retryDays: retryDays) }
        var previous = 0
        for day in retryDays {
            guard day > previous, day <= Self.maximumDays else { throw DunningScheduleInvalid(retryDays: retryDays) }
            previous = day
        }
        self.retryDays = retryDays
    }

    /// When retry number `retriesDone + 1` runs, or nil when every retry was made (dunning is exhausted).
    /// Every retry comes after the failure, which itself came at the end of the paid period: dunning never
    /// shortens a paid period.
    public func nextRetry(after failedAt: Date, retriesDone: Int) -> Date? {
        guard retriesDone >= 0, retriesDone < retryDays.count else { return nil }
        return failedAt.addingTimeInterval(TimeInterval(retryDays[retriesDone]) * 86_400)
    }

    public func isExhausted(retriesDone: Int) -> Bool { retriesDone >= retryDays.count }
}

public struct DunningScheduleInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var retryDays: [Int]
    public var description: String {
        "dunning retry days must rise strictly, each between 1 and \(DunningSchedule.maximumDays), at most \(DunningSchedule.maximumRetries) of them; got \(retryDays)."
    }
}
