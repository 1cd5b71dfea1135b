import Foundation
import PayHubCore
import XCTest

/// Every subscription state against every command, legal and illegal.
final class SubscriptionMachineTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let eur = try! Currency(code: "EUR")
    lazy var monthly = try! BillingInterval(unit: .month)
    let day: TimeInterval = 86_400

    enum Fixture: CaseIterable {
        case incomplete, incompleteExpired, trialing, trialingCancelPending, active, activeOpen, activeCancelPending,
             activeAtEnd, pastDue, pastDueLeave, pastDueExhausted, canceled, expired
    }

    func fresh(trialDays: Int = 0, maxRenewals: Int? = nil, dunningEnd: DunningEnd = .cancel) -> Subscription {
        Subscription(
            id: SubscriptionID(rawValue: "sub_1"), amount: Money(minorUnits: 999, currency: eur), interval: monthly,
            trialDays: trialDays, maxRenewals: maxRenewals, dunningEnd: dunningEnd, createdAt: t0)
    }

    func step(_ s: Subscription, _ command: SubscriptionCommand, at date: Date? = nil) throws -> Subscription {
        try SubscriptionMachine.apply(command, to: s, at: date ?? max(s.currentPeriodEnd, t0.addingTimeInterval(day))).subscription
    }

    func make(_ fixture: Fixture) throws -> Subscription {
        let paid = try step(fresh(), .firstPaymentSucceeded, at: t0)
        switch fixture {
        case .incomplete: return fresh()
        case .incompleteExpired: return try step(fresh(), .firstPaymentExpired, at: t0.addingTimeInterval(24 * 3600))
        case .trialing: return fresh(trialDays: 14)
        case .trialingCancelPending: return try step(fresh(trialDays: 14), .cancel(atPeriodEnd: true), at: t0)
        case .active: return paid
        case .activeOpen: return try step(paid, .renewalDue)
        case .activeCancelPending: return try step(paid, .cancel(atPeriodEnd: true), at: t0)
        case .activeAtEnd: return try step(fresh(maxRenewals: 0), .firstPaymentSucceeded, at: t0)
        case .pastDue: return try step(step(paid, .renewalDue), .renewalFailed)
        case .pastDueLeave, .pastDueExhausted:
            let leave = try step(fresh(dunningEnd: .leavePastDue), .firstPaymentSucceeded, at: t0)
            let pastDue = try step(step(leave, .renewalDue), .renewalFailed)
            return fixture == .pastDueLeave ? pastDue : try step(pastDue, .dunningExhausted)
        case .canceled: return try step(paid, .cancel(atPeriodEnd: false), at: t0)
        case .expired: return try step(make(.activeAtEnd), .endReached)
        }
    }

    func commands() -> [(String, SubscriptionCommand)] {
        [
            ("first_succeeded", .firstPaymentSucceeded), ("first_failed", .firstPaymentFailed),
            ("first_expired", .firstPaymentExpired), ("trial_will_end", .trialWillEnd), ("trial_ended", .trialEnded),
            ("renewal_due", .renewalDue), ("renewal_succeeded", .renewalSucceeded), ("renewal_failed", .renewalFailed),
            ("dunning_exhausted", .dunningExhausted), ("cancel_now", .cancel(atPeriodEnd: false)),
            ("cancel_at_end", .cancel(atPeriodEnd: true)), ("resume", .resume),
            ("period_ended_canceling", .periodEndedWithCancellation), ("end_reached", .endReached),
            ("change_plan", .changePlan(amount: Money(minorUnits: 1500, currency: eur), interval: nil)),
        ]
    }

    enum Expect: Equatable {
        case moves(to: SubscriptionStatus, events: [EventType])
        case noOp
        case refused(String)
    }

    func expected(_ fixture: Fixture, _ command: String) -> Expect {
        let unexpected = Expect.refused("subscription_unexpected_state")
        let noPending = Expect.refused("subscription_no_pending_cancellation")
        let noOpen = Expect.refused("subscription_no_payment_open")
        let open = Expect.refused("subscription_payment_open")
        let pending = Expect.refused("subscription_cancellation_pending")
        let canceled = Expect.moves(to: .canceled, events: [.customerSubscriptionCanceled])
        func updated(_ status: SubscriptionStatus) -> Expect { .moves(to: status, events: [.customerSubscriptionUpdated]) }
        switch fixture {
        case .incompleteExpired, .canceled, .expired:
            return unexpected
        case .incomplete:
            switch command {
            case "first_succeeded": return updated(.active)
            case "first_failed": return .moves(to: .incomplete, events: [])
            case "first_expired": return updated(.incompleteExpired)
            case "cancel_now", "cancel_at_end": return canceled
            case "resume": return noPending
            case "change_plan": return updated(.incomplete)
            default: return unexpected
            }
        case .trialing, .trialingCancelPending:
            let pendingCancel = fixture == .trialingCancelPending
            switch command {
            case "trial_will_end": return .moves(to: .trialing, events: [.customerSubscriptionTrialWillEnd])
            case "trial_ended": return pendingCancel ? pending : .moves(to: .active, events: [])
            case "cancel_now": return canceled
            case "cancel_at_end": return pendingCancel ? .noOp : updated(.trialing)
            case "resume": return pendingCancel ? updated(.trialing) : noPending
            case "period_ended_canceling": return pendingCancel ? canceled : noPending
            case "change_plan": return updated(.trialing)
            default: return unexpected
            }
        case .active, .activeOpen, .activeCancelPending, .activeAtEnd:
            let isOpen = fixture == .activeOpen, pendingCancel = fixture == .activeCancelPending
            switch command {
            case "renewal_due":
                if isOpen { return open }
                if pendingCancel { return pending }
                return fixture == .activeAtEnd ? .refused("subscription_end_reached") : .moves(to: .active, events: [])
            case "renewal_succeeded": return isOpen ? .moves(to: .active, events: [.customerSubscriptionRenewed]) : noOpen
            case "renewal_failed": return isOpen ? .moves(to: .pastDue, events: [.customerSubscriptionPastDue]) : noOpen
            case "cancel_now": return canceled
            case "cancel_at_end": return pendingCancel ? .noOp : updated(.active)
            case "resume": return pendingCancel ? updated(.active) : noPending
            case "period_ended_canceling": return pendingCancel ? canceled : noPending
            case "end_reached":
                if isOpen { return open }
                if pendingCancel { return pending }
                return fixture == .activeAtEnd ? .moves(to: .expired, events: [.customerSubscriptionExpired]) : .refused("subscription_end_not_reached")
            case "change_plan": return updated(.active)
            default: return unexpected
            }
        case .pastDue, .pastDueLeave, .pastDueExhausted:
            switch command {
            case "renewal_due": return open
            case "renewal_succeeded": return .moves(to: .active, events: [.customerSubscriptionRenewed])
            case "renewal_failed": return .moves(to: .pastDue, events: [])
            case "dunning_exhausted":
                switch fixture {
                case .pastDue: return canceled
                case .pastDueLeave: return updated(.pastDue)
                default: return unexpected
                }
            case "cancel_now": return canceled
            case "cancel_at_end": return updated(.pastDue)
            case "resume", "period_ended_canceling": return noPending
            case "change_plan": return updated(.pastDue)
            default: return unexpected
            }
        }
    }

    func testEveryStateAgainstEveryCommand() throws {
        let later = t0.addingTimeInterval(400 * day)
        var checked = 0
        for fixture in Fixture.allCases {
            for (name, command) in commands() {
                let subscription = try make(fixture)
                let expectation = expected(fixture, name)
                let label = "\(fixture) + \(name)"
                do {
                    let result = try SubscriptionMachine.apply(command, to: subscription, at: later)
                    switch expectation {
                    case .moves(let status, let events):
                        XCTAssertEqual(result.subscription.status, status, label)
                        XCTAssertEqual(result.events, events, label)
                        assertInvariants(before: subscription, after: result, command: command, label)
                    case .noOp:
                        XCTAssertEqual(result.subscription, subscription, label)
                        XCTAssertEqual(result.events, [], label)
                    case .refused(let code):
                        XCTFail("\(label): expected \(code), got \(result.subscription.status)")
                    }
                } catch {
                    XCTAssertEqual(expectation, .refused(error.subscriptionCode), "\(label): \(error)")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, Fixture.allCases.count * commands().count)
    }

    func assertInvariants(before: Subscription, after transition: SubscriptionTransition, command: SubscriptionCommand, _ label: String) {
        let s = transition.subscription
        XCTAssertLessThan(s.currentPeriodStart, s.currentPeriodEnd, label)
        if let open = s.openPeriod { XCTAssertEqual(open, s.currentPeriod, label) }
        if s.status.isTerminal { XCTAssertNil(s.openPeriod, label); XCTAssertNotNil(s.endedAt, label); XCTAssertFalse(s.cancelAtPeriodEnd, label) }
        // A paid period is never cut short, except by an explicit immediate cancellation.
        if let endedAt = s.endedAt, let paidThrough = before.paidThrough, command != .cancel(atPeriodEnd: false) {
            XCTAssertGreaterThanOrEqual(endedAt, paidThrough, label)
        }
        if transition.startedPeriod != nil { XCTAssertTrue(transition.opensPayment, label) }
    }

    func testFactsBeforeTheirTimeAreRefused() throws {
        let cases: [(Fixture, SubscriptionCommand)] = [
            (.incomplete, .firstPaymentExpired), (.trialing, .trialWillEnd), (.trialing, .trialEnded),
            (.active, .renewalDue), (.activeCancelPending, .periodEndedWithCancellation), (.activeAtEnd, .endReached),
        ]
        for (fixture, command) in cases {
            let subscription = try make(fixture)
            XCTAssertThrowsError(try SubscriptionMachine.apply(command, to: subscription, at: t0.addingTimeInterval(3600))) {
                XCTAssertEqual($0.subscriptionCode, "subscription_not_due", "\(fixture) + \(command.name)")
            }
        }
        let incomplete = try make(.incomplete)
        XCTAssertThrowsError(try SubscriptionMachine.apply(.firstPaymentExpired, to: incomplete, at: t0.addingTimeInterval(23 * 3600 - 1)))
        XCTAssertNoThrow(try SubscriptionMachine.apply(.firstPaymentExpired, to: incomplete, at: t0.addingTimeInterval(23 * 3600)))
        let trialing = try make(.trialing)
        XCTAssertNoThrow(try SubscriptionMachine.apply(.trialWillEnd, to: trialing, at: t0.addingTimeInterval(11 * day)))
    }

    func testDunningNeverCutsAPaidPeriodShort() throws {
        var pastDue = try make(.pastDue)
        pastDue.paidThrough = pastDue.currentPeriodEnd
        XCTAssertThrowsError(try SubscriptionMachine.apply(.dunningExhausted, to: pastDue, at: pastDue.currentPeriodEnd.addingTimeInterval(-1))) {
            XCTAssertEqual($0.subscriptionCode, "subscription_period_paid")
        }
    }

    func testACancellationAtPeriodEndEndsExactlyAtThePeriodsEndEvenWhenSeenLate() throws {
        let pending = try make(.activeCancelPending)
        XCTAssertEqual(pending.status, .active)
        let ended = try SubscriptionMachine.apply(.periodEndedWithCancellation, to: pending, at: pending.currentPeriodEnd.addingTimeInterval(5 * day))
        XCTAssertEqual(ended.subscription.endedAt, pending.currentPeriodEnd)
        XCTAssertEqual(ended.subscription.endedAt, pending.paidThrough)
        XCTAssertNil(ended.startedPeriod)
    }

    func testTwelveRenewalsFromAnAnchorOnThe31st() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let jan31 = calendar.date(from: DateComponents(year: 2027, month: 1, day: 31, hour: 10))!
        var s = Subscription(id: SubscriptionID(rawValue: "sub_1"), amount: Money(minorUnits: 999, currency: eur), interval: monthly, createdAt: jan31)
        s = try step(s, .firstPaymentSucceeded, at: jan31)
        var ends: [Int] = []
        for _ in 0..<12 {
            XCTAssertEqual(s.dueAtPeriodEnd, .renewalDue)
            let due = try SubscriptionMachine.apply(.renewalDue, to: s, at: s.currentPeriodEnd)
            XCTAssertTrue(due.opensPayment)
            s = try SubscriptionMachine.apply(.renewalSucceeded, to: due.subscription, at: s.currentPeriodEnd).subscription
            ends.append(calendar.component(.day, from: s.currentPeriodStart))
        }
        XCTAssertEqual(ends, [28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31])
        XCTAssertEqual(s.renewals, 12)
        XCTAssertEqual(s.currentPeriod, 13)
        XCTAssertEqual(s.paidThrough, s.currentPeriodEnd)
    }

    func testAPlanChangeWaitsForTheNextRenewalAndReanchors() throws {
        let active = try make(.active)
        let yearly = try BillingInterval(unit: .year)
        let changed = try step(active, .changePlan(amount: Money(minorUnits: 9900, currency: eur), interval: yearly), at: t0)
        XCTAssertEqual(changed.amount.minorUnits, 999)
        XCTAssertEqual(changed.currentPeriodEnd, active.currentPeriodEnd)
        let renewed = try step(changed, .renewalDue)
        XCTAssertEqual(renewed.amount.minorUnits, 9900)
        XCTAssertEqual(renewed.currentPeriodStart, active.currentPeriodEnd)
        XCTAssertEqual(renewed.currentPeriodEnd, yearly.date(after: 1, from: active.currentPeriodEnd))
        XCTAssertNil(renewed.pendingAmount)
        XCTAssertThrowsError(try SubscriptionMachine.apply(.changePlan(amount: Money(minorUnits: 1, currency: try Currency(code: "USD")), interval: nil), to: active, at: t0)) {
            XCTAssertEqual($0.subscriptionCode, "currency_mismatch")
        }
    }

    func testMaxRenewalsAndEndDate() throws {
        var s = try step(fresh(maxRenewals: 2), .firstPaymentSucceeded, at: t0)
        for _ in 0..<2 { s = try step(step(s, .renewalDue), .renewalSucceeded) }
        XCTAssertEqual(s.dueAtPeriodEnd, .endReached)
        XCTAssertEqual(try step(s, .endReached).status, .expired)
        var dated = Subscription(
            id: SubscriptionID(rawValue: "sub_2"), amount: Money(minorUnits: 5, currency: eur), interval: monthly,
            endDate: monthly.date(after: 2, from: t0), createdAt: t0)
        dated = try step(dated, .firstPaymentSucceeded, at: t0)
        XCTAssertEqual(dated.dueAtPeriodEnd, .renewalDue)
        dated = try step(step(dated, .renewalDue), .renewalSucceeded)
        XCTAssertEqual(dated.dueAtPeriodEnd, .endReached)
    }

    func testATrialStartsPeriodOneAtItsEnd() throws {
        let trialing = try make(.trialing)
        XCTAssertEqual(trialing.currentPeriodEnd, t0.addingTimeInterval(14 * day))
        XCTAssertEqual(trialing.dueAtPeriodEnd, .trialEnded)
        let ended = try SubscriptionMachine.apply(.trialEnded, to: trialing, at: trialing.currentPeriodEnd)
        XCTAssertEqual(ended.startedPeriod, 1)
        XCTAssertEqual(ended.subscription.currentPeriodStart, trialing.currentPeriodEnd)
        XCTAssertEqual(ended.subscription.currentPeriodEnd, monthly.date(after: 1, from: trialing.currentPeriodEnd))
        XCTAssertNil(ended.subscription.paidThrough)
        let future = Subscription(
            id: SubscriptionID(rawValue: "sub_3"), amount: Money(minorUnits: 5, currency: eur), interval: monthly,
            startDate: t0.addingTimeInterval(2 * day), createdAt: t0)
        XCTAssertEqual(future.status, .trialing)
    }

    func testSeedNames() {
        XCTAssertEqual(SubscriptionStatus.allCases.map(\.seedName), ["PAYMENT_PENDING", "ABORTED", "ACTIVE", "ACTIVE", "PAYMENT_FAILED", "ABORTED", "EXPIRED"])
    }

    func testDunningSchedule() throws {
        let standard = DunningSchedule.standard
        XCTAssertEqual(standard.retryDays, [1, 3, 5, 7])
        let failed = t0
        XCTAssertEqual((0..<5).map { standard.nextRetry(after: failed, retriesDone: $0) },
                       [t0.addingTimeInterval(day), t0.addingTimeInterval(3 * day), t0.addingTimeInterval(5 * day), t0.addingTimeInterval(7 * day), nil])
        XCTAssertTrue(standard.isExhausted(retriesDone: 4))
        XCTAssertFalse(standard.isExhausted(retriesDone: 3))
        XCTAssertNil(try DunningSchedule(retryDays: []).nextRetry(after: failed, retriesDone: 0))
        for bad in [[0], [3, 3], [5, 2], [61], Array(1...11)] {
            XCTAssertThrowsError(try DunningSchedule(retryDays: bad))
        }
    }
}

extension Error {
    var subscriptionCode: String { (self as? SubscriptionRuleViolation)?.code ?? "\(self)" }
}
