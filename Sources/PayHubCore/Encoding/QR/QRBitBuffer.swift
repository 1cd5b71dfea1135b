/// Bits appended most significant first, read back as whole codewords.
struct QRBitBuffer: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    init(capacityInBits: Int = 0) {
        bytes.reserveCapacity((capacityInBits + 7) / 8)
    }

    /// Appends the low `length` bits of `value`, high bit first.
    mutating func append(_ value: UInt32, bits length: Int) {
        precondition(length >= 0 && length <= 32 && (length == 32 || value >> UInt32(length) == 0), "value wider than its field")
        for shift in stride(from: length - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> UInt32(shift)) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}
