import Foundation

/// The time. Injected everywhere so tests drive retry schedules, token expiry and pollers without sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's time, truncated to whole milliseconds so that stored timestamps read back exactly
/// (SQLite keeps a double; equality and ordering of cursors depend on the round trip).
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
