/// The text does not fit in a version 40 QR code (or in the version asked for) at this error correction level.
public struct QRCodeTooLong: Error, Equatable, Sendable {
    /// The UTF-8 length of the text.
    public let byteCount: Int
    /// The most bytes the largest allowed version holds at `correction`.
    public let maximumByteCount: Int
    public let correction: QRErrorCorrection
}
