/// One of the 40 QR code sizes: its geometry and how many codewords it holds.
struct QRVersion: Equatable, Sendable {
    static let range = 1...40

    let number: Int

    init(_ number: Int) {
        precondition(Self.range.contains(number), "QR versions are 1...40")
        self.number = number
    }

    /// Modules per side: 21 for version 1, 4 more per version.
    var size: Int { number * 4 + 17 }

    /// Modules left for data and error correction once every function pattern is drawn (ISO/IEC 18004 Table 1).
    var dataModuleCount: Int {
        var count = (16 * number + 128) * number + 64
        if number >= 2 {
            let alignments = number / 7 + 2
            count -= (25 * alignments - 10) * alignments - 55
            if number >= 7 { count -= 36 }
        }
        return count
    }

    var totalCodewords: Int { dataModuleCount / 8 }

    func ecCodewordsPerBlock(_ correction: QRErrorCorrection) -> Int {
        QRBlockTable.ecCodewordsPerBlock[correction.tableIndex][number]
    }

    func blockCount(_ correction: QRErrorCorrection) -> Int {
        QRBlockTable.blockCount[correction.tableIndex][number]
    }

    func dataCodewords(_ correction: QRErrorCorrection) -> Int {
        totalCodewords - ecCodewordsPerBlock(correction) * blockCount(correction)
    }

    /// Bits of the byte-mode character count indicator (Table 3).
    var byteCountBits: Int { number <= 9 ? 8 : 16 }

    /// The most bytes one byte-mode segment can carry at this level: 4 bits of mode, the count, then the bytes.
    func byteCapacity(_ correction: QRErrorCorrection) -> Int {
        (dataCodewords(correction) * 8 - 4 - byteCountBits) / 8
    }

    /// Centres of the alignment patterns along each axis (Annex E), from 6 to size - 7 evenly spaced.
    var alignmentCenters: [Int] {
        guard number > 1 else { return [] }
        let count = number / 7 + 2
        let step = number == 32 ? 26 : (number * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var centers = [6]
        for index in stride(from: count - 2, through: 0, by: -1) {
            centers.append(size - 7 - index * step)
        }
        return centers
    }

    /// The smallest version in `allowed` whose capacity at `correction` holds `byteCount` bytes.
    static func smallest(holding byteCount: Int, correction: QRErrorCorrection, in allowed: ClosedRange<Int> = range) -> QRVersion? {
        allowed.lazy.map(QRVersion.init).first { $0.byteCapacity(correction) >= byteCount }
    }
}
