/// A QR Code Model 2 symbol (ISO/IEC 18004) holding text as one byte-mode segment of UTF-8, without ECI.
///
///     let code = try QRCode.encode("payhub-sandbox://pay/sbx_py_qr_…")
///     let image = code.svg()   // for <img src="data:image/svg+xml;base64,…">
///
/// The version is the smallest that holds the text; the mask is the one with the lowest penalty, scored before
/// the format and version information are drawn (ISO/IEC 18004 §7.1 steps 6 then 7, as segno does).
public struct QRCode: Equatable, Sendable {
    /// Modules per side, 21 to 177, without the quiet zone.
    public let size: Int
    /// 1...40.
    public let version: Int
    /// The data mask pattern, 0...7.
    public let mask: Int
    public let correction: QRErrorCorrection
    private let modules: [Bool]

    /// Encodes `text` in the smallest version (1...40) that holds its UTF-8 bytes at `correction`.
    public static func encode(_ text: String, correction: QRErrorCorrection = .medium) throws(QRCodeTooLong) -> QRCode {
        let largest = QRVersion(QRVersion.range.upperBound).byteCapacity(correction)
        // Refuse a huge text before copying its bytes.
        guard text.utf8.count <= largest else {
            throw QRCodeTooLong(byteCount: text.utf8.count, maximumByteCount: largest, correction: correction)
        }
        return try encode(bytes: Array(text.utf8), correction: correction)
    }

    /// Whether the module in column `x`, row `y` (0..<size, origin top left) is dark; false outside the symbol.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// `version` and `mask` force those choices (tests compare with a reference encoder); nil picks them.
    static func encode(bytes: [UInt8], correction: QRErrorCorrection, version forcedVersion: Int? = nil, mask forcedMask: QRMask? = nil) throws(QRCodeTooLong) -> QRCode {
        let allowed = forcedVersion.map { $0...$0 } ?? QRVersion.range
        guard let version = QRVersion.smallest(holding: bytes.count, correction: correction, in: allowed) else {
            throw QRCodeTooLong(byteCount: bytes.count, maximumByteCount: QRVersion(allowed.upperBound).byteCapacity(correction), correction: correction)
        }
        var unmasked = QRMatrix(version: version)
        unmasked.place(codewords: QRCodewords.make(bytes: bytes, version: version, correction: correction))

        let mask = forcedMask ?? lowestPenaltyMask(for: unmasked)
        var matrix = unmasked.masked(with: mask)
        matrix.drawFormatInformation(correction: correction, mask: mask)
        matrix.drawVersionInformation(version)
        return QRCode(size: matrix.size, version: version.number, mask: mask.rawValue, correction: correction, modules: matrix.dark)
    }

    /// The first mask with the lowest penalty.
    private static func lowestPenaltyMask(for unmasked: QRMatrix) -> QRMask {
        var best = (mask: QRMask.checkerboard, penalty: Int.max)
        for mask in QRMask.allCases {
            let penalty = QRPenalty.score(unmasked.masked(with: mask))
            if penalty < best.penalty { best = (mask, penalty) }
        }
        return best.mask
    }
}
