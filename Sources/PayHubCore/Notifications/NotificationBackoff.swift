import Foundation

/// When a notification whose send failed for a reason that may pass is tried again: 1 minute, 5 minutes,
/// 30 minutes, 2 hours, 6 hours after the attempts 1 to 5; after the sixth it has failed for good.
public enum NotificationBackoff {
    public static let delays: [TimeInterval] = [60, 300, 1800, 7200, 21600]

    /// Sends at most: the first and one per delay.
    public static var maxAttempts: Int { delays.count + 1 }

    /// Seconds to wait after attempt `attempt` (1-based) failed transiently; nil when it was the last.
    public static func delay(afterAttempt attempt: Int) -> TimeInterval? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        return delays[attempt - 1]
    }
}
