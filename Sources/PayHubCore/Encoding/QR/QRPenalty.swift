/// The penalty of a masked symbol (ISO/IEC 18004 §7.8.3.1, Table 11); the mask with the lowest score is used.
/// N1: each run of 5 + i same-coloured modules in a row or column scores 3 + i.
/// N2: each 2×2 block of one colour scores 3.
/// N3: each dark-light-dark-dark-dark-light-dark (1:1:3:1:1) with four light modules before or after it in a row or
///     column scores 40; outside the symbol counts as light. Overlapping occurrences each count (as in ZXing;
///     segno 1.6.6 resumes its search after a match, see Tests/PayHubCoreTests/Fixtures/make_qr_fixtures.py).
/// N4: 10 per full 5% the dark proportion is away from 50%.
enum QRPenalty {
    static func score(_ matrix: QRMatrix) -> Int {
        matrix.dark.withUnsafeBufferPointer { score($0, size: matrix.size) }
    }

    private static func score(_ modules: UnsafeBufferPointer<Bool>, size: Int) -> Int {
        var total = 0
        for line in 0..<size {
            total += lineScore(modules, start: line * size, step: 1, count: size)
            total += lineScore(modules, start: line, step: size, count: size)
        }
        for y in 0..<(size - 1) {
            let top = y * size, bottom = top + size
            for x in 0..<(size - 1) {
                let color = modules[top + x]
                if modules[top + x + 1] == color && modules[bottom + x] == color && modules[bottom + x + 1] == color {
                    total += 3
                }
            }
        }
        let darkCount = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let cells = size * size
        return total + 10 * (abs(darkCount * 20 - cells * 10) / cells)
    }

    /// 1011101 in the middle of a 15-module window, oldest module in the highest bit.
    private static let finderLike: UInt32 = 0b1011101

    /// N1 and N3 of a row (step 1) or a column (step size). The window holds the last 15 modules, with light ones
    /// before the line and four more after it, so a pattern in its middle sees its 4 neighbours on each side.
    private static func lineScore(_ modules: UnsafeBufferPointer<Bool>, start: Int, step: Int, count: Int) -> Int {
        var score = 0
        var runLength = 0
        var previous = false
        var window: UInt32 = 0
        var index = start
        for position in 0..<(count + 4) {
            var isDark = false
            if position < count {
                isDark = modules[index]
                index += step
                if position > 0 && isDark == previous {
                    runLength += 1
                } else {
                    if runLength >= 5 { score += runLength - 2 }
                    runLength = 1
                }
                previous = isDark
            }
            window = (window << 1 | (isDark ? 1 : 0)) & 0x7FFF
            if (window >> 4) & 0x7F == finderLike && (window >> 11 == 0 || window & 0xF == 0) { score += 40 }
        }
        if runLength >= 5 { score += runLength - 2 }
        return score
    }
}
