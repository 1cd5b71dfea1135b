import Foundation

/// How often a subscription renews: every `count` days, weeks, months or years.
public struct BillingInterval: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Unit: String, CaseIterable, Sendable, Codable {
        case day, week, month, year
    }

    public var unit: Unit
    public var count: Int

    /// At most three years between renewals, as Stripe allows.
    public static func maximumCount(for unit: Unit) -> Int {
        switch unit {
        case .day: 1_095
        case .week: 156
        case .month: 36
        case .year: 3
        }
    }

    public init(unit: Unit, count: Int = 1) throws(BillingIntervalInvalid) {
        guard (1...Self.maximumCount(for: unit)).contains(count) else { throw BillingIntervalInvalid(unit: unit, count: count) }
        self.unit = unit
        self.count = count
    }

    public var description: String { count == 1 ? unit.rawValue : "\(count) \(unit.rawValue)s" }

    /// The end of the `periods`-th period that starts at `anchor`, in UTC. Months keep the anchor's day and
    /// clamp it to the month's last day (an anchor on 31 January renews on 28 or 29 February, then on 31 March),
    /// because every period is computed from the anchor, never from the previous period's end.
    public func date(after periods: Int, from anchor: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var step = DateComponents()
        switch unit {
        case .day: step.day = count * periods
        case .week: step.day = 7 * count * periods
        case .month: step.month = count * periods
        case .year: step.year = count * periods
        }
        return calendar.date(byAdding: step, to: anchor, wrappingComponents: false)!
    }
}

public struct BillingIntervalInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var unit: BillingInterval.Unit
    public var count: Int
    public var description: String {
        "interval_count must be between 1 and \(BillingInterval.maximumCount(for: unit)) for interval '\(unit.rawValue)'; got \(count)."
    }
}
