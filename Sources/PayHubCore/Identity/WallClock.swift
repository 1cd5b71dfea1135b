import Foundation

/// The time. Injected everywhere so tests drive retry schedules, token expiry and pollers without sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
