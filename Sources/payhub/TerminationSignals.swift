#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// SIGTERM and SIGINT, caught reliably. A plain signal handler writes the signal number to a pipe and one thread
/// reads it, so the signal is seen whichever thread the kernel delivers it to. (Dispatch signal sources on Linux
/// rely on every thread blocking the signal; NIO's threads do not, so a SIGTERM could be lost.)
final class TerminationSignals: Sendable {
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    private let readEnd: Int32

    /// Installs the handlers; call before starting anything that should be stopped cleanly.
    init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("cannot create the signal pipe: errno \(errno)") }
        readEnd = ends[0]
        Self.writeEnd = ends[1]
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(TerminationSignals.writeEnd, &byte, 1)
            }
        }
    }

    /// Waits for the first of the two signals and returns its number.
    func next() async -> Int32 {
        let readEnd = self.readEnd
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) != 1 {}
                continuation.resume(returning: Int32(byte))
            }
        }
    }
}
