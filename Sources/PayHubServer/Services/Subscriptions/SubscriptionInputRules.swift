import Foundation
import PayHubCore

/// The checks of a subscription's input that the checkout session's do not cover: the interval, the trial, the
/// start and the expiration, the end of dunning.
enum SubscriptionInputRules {
    struct Plan {
        var interval: BillingInterval
        var currency: String
        var dunningEnd: DunningEnd
    }

    struct Expiration {
        var trialDays: Int
        var startDate: Date?
        var endDate: Date?
        var maxRenewals: Int?
    }

    static let maximumTrialDays = 730
    static let maximumRenewals = 10_000
    /// A start in the future is at most a year ahead.
    static let maximumStartDelay: TimeInterval = 366 * 86_400

    static func plan(_ input: CreateSubscriptionRequest) throws -> Plan {
        guard let interval = try interval(unit: input.interval, count: input.intervalCount, current: nil) else {
            throw ServiceError.invalid("parameter_missing", "interval is required.", param: "interval")
        }
        let dunningEnd = try input.dunningEnd.map { raw in
            guard let end = DunningEnd(rawValue: raw) else {
                throw ServiceError.invalid("parameter_invalid", "dunning_end must be cancel or leave_past_due.", param: "dunning_end")
            }
            return end
        } ?? .cancel
        return Plan(interval: interval, currency: input.currency, dunningEnd: dunningEnd)
    }

    /// The interval asked for; an update may send only one of unit and count (the other is the current one's).
    static func interval(unit raw: String?, count: Int?, current: BillingInterval?) throws -> BillingInterval? {
        guard raw != nil || count != nil else { return nil }
        let unit: BillingInterval.Unit
        if let raw {
            guard let parsed = BillingInterval.Unit(rawValue: raw) else {
                throw ServiceError.invalid("parameter_invalid", "interval must be day, week, month or year.", param: "interval")
            }
            unit = parsed
        } else if let current {
            unit = current.unit
        } else {
            throw ServiceError.invalid("parameter_missing", "interval is required with interval_count.", param: "interval")
        }
        do {
            return try BillingInterval(unit: unit, count: count ?? (raw == nil ? current?.count ?? 1 : 1))
        } catch {
            throw ServiceError.invalid("parameter_invalid", error.description, param: "interval_count")
        }
    }

    static func expiration(_ input: CreateSubscriptionRequest, now: Date) throws -> Expiration {
        let trialDays = input.trialDays ?? 0
        guard (0...maximumTrialDays).contains(trialDays) else {
            throw ServiceError.invalid("parameter_invalid", "trial_days must be between 0 and \(maximumTrialDays).", param: "trial_days")
        }
        let startDate = input.startDate.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        if let startDate, startDate < now.addingTimeInterval(-60) || startDate > now.addingTimeInterval(maximumStartDelay) {
            throw ServiceError.invalid("parameter_invalid", "start_date must be now or up to a year ahead (unix seconds).", param: "start_date")
        }
        if input.endDate != nil && input.maxRenewals != nil {
            throw ServiceError.invalid("parameters_exclusive", "Send either end_date or max_renewals, not both.", param: "max_renewals")
        }
        let endDate = input.endDate.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        if let endDate, endDate <= max(startDate ?? now, now) {
            throw ServiceError.invalid("parameter_invalid", "end_date must come after the start.", param: "end_date")
        }
        if let maxRenewals = input.maxRenewals, !(0...maximumRenewals).contains(maxRenewals) {
            throw ServiceError.invalid("parameter_invalid", "max_renewals must be between 0 and \(maximumRenewals).", param: "max_renewals")
        }
        return Expiration(trialDays: trialDays, startDate: startDate, endDate: endDate, maxRenewals: input.maxRenewals)
    }
}
