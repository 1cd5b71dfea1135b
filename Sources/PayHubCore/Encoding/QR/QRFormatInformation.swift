/// The BCH-protected format and version information and where they go (ISO/IEC 18004 §7.9, §7.10, Annex C and D).
enum QRFormatInformation {
    /// 15 bits: the level's 2 bits and the 3-bit mask, a BCH(15,5) remainder of generator 0x537, XOR 0x5412.
    static func formatBits(correction: QRErrorCorrection, mask: QRMask) -> UInt32 {
        let data = correction.formatBits << 3 | UInt32(mask.rawValue)
        return (data << 10 | bchRemainder(data, generator: 0x537, degree: 10)) ^ 0x5412
    }

    /// 18 bits: the 6-bit version and a BCH(18,6) remainder of generator 0x1F25.
    static func versionBits(_ version: QRVersion) -> UInt32 {
        let data = UInt32(version.number)
        return data << 12 | bchRemainder(data, generator: 0x1F25, degree: 12)
    }

    private static func bchRemainder(_ data: UInt32, generator: UInt32, degree: Int) -> UInt32 {
        var remainder = data << UInt32(degree)
        for shift in stride(from: 31 - degree, through: 0, by: -1) where remainder & (1 << UInt32(shift + degree)) != 0 {
            remainder ^= generator << UInt32(shift)
        }
        return remainder
    }
}

extension QRMatrix {
    /// Both copies of the format information, bit 0 being the least significant, and the dark module.
    mutating func drawFormatInformation(correction: QRErrorCorrection, mask: QRMask) {
        let bits = QRFormatInformation.formatBits(correction: correction, mask: mask)
        func bit(_ index: Int) -> Bool { (bits >> UInt32(index)) & 1 == 1 }
        // Around the top-left finder: up column 8 then left along row 8, skipping the timing modules.
        for index in 0...5 { setFunction(x: 8, y: index, dark: bit(index)) }
        setFunction(x: 8, y: 7, dark: bit(6))
        setFunction(x: 8, y: 8, dark: bit(7))
        setFunction(x: 7, y: 8, dark: bit(8))
        for index in 9..<15 { setFunction(x: 14 - index, y: 8, dark: bit(index)) }
        // Split between the top-right and bottom-left finders.
        for index in 0..<8 { setFunction(x: size - 1 - index, y: 8, dark: bit(index)) }
        for index in 8..<15 { setFunction(x: 8, y: size - 15 + index, dark: bit(index)) }
        setFunction(x: 8, y: size - 8, dark: true)
    }

    /// Both 6×3 copies of the version information (versions 7 and up).
    mutating func drawVersionInformation(_ version: QRVersion) {
        guard version.number >= 7 else { return }
        let bits = QRFormatInformation.versionBits(version)
        for index in 0..<18 {
            let isDark = (bits >> UInt32(index)) & 1 == 1
            let a = size - 11 + index % 3, b = index / 3
            setFunction(x: a, y: b, dark: isDark)
            setFunction(x: b, y: a, dark: isDark)
        }
    }
}
