/// How much of a QR code can be damaged and still read: about 7% (low), 15% (medium), 25% (quartile), 30% (high).
public enum QRErrorCorrection: Sendable, CaseIterable, Equatable {
    case low, medium, quartile, high

    /// Row in the block tables (ISO/IEC 18004 Table 9 order L, M, Q, H).
    var tableIndex: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The two bits the format information carries (Table 12).
    var formatBits: UInt32 {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}
