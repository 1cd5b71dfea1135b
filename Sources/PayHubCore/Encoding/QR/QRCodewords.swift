/// The codeword sequence of a symbol: one byte-mode segment, padding, then Reed–Solomon blocks interleaved
/// (ISO/IEC 18004 §7.4–7.6).
enum QRCodewords {
    static func make(bytes: [UInt8], version: QRVersion, correction: QRErrorCorrection) -> [UInt8] {
        interleave(data: dataCodewords(bytes: bytes, version: version, correction: correction), version: version, correction: correction)
    }

    /// Mode 0100, character count, the bytes, a terminator of up to four zeros, zero bits to a byte, then 0xEC 0x11….
    static func dataCodewords(bytes: [UInt8], version: QRVersion, correction: QRErrorCorrection) -> [UInt8] {
        let capacityBits = version.dataCodewords(correction) * 8
        var buffer = QRBitBuffer(capacityInBits: capacityBits)
        buffer.append(0b0100, bits: 4)
        buffer.append(UInt32(bytes.count), bits: version.byteCountBits)
        for byte in bytes { buffer.append(UInt32(byte), bits: 8) }
        precondition(buffer.count <= capacityBits, "the caller chose a version that holds the bytes")
        buffer.append(0, bits: min(4, capacityBits - buffer.count))
        buffer.append(0, bits: (8 - buffer.count % 8) % 8)
        var codewords = buffer.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < version.dataCodewords(correction) {
            codewords.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return codewords
    }

    /// Splits the data into blocks (the short ones first), appends each block's error correction, and reads the
    /// blocks column by column: data codewords first, then error correction codewords.
    static func interleave(data: [UInt8], version: QRVersion, correction: QRErrorCorrection) -> [UInt8] {
        let blockCount = version.blockCount(correction)
        let ecCount = version.ecCodewordsPerBlock(correction)
        let shortBlockCount = blockCount - version.totalCodewords % blockCount
        let shortDataCount = version.totalCodewords / blockCount - ecCount
        let encoder = ReedSolomon(ecCodewordCount: ecCount)

        var dataBlocks: [ArraySlice<UInt8>] = []
        var ecBlocks: [[UInt8]] = []
        var start = 0
        for block in 0..<blockCount {
            let length = shortDataCount + (block < shortBlockCount ? 0 : 1)
            let slice = data[start..<start + length]
            dataBlocks.append(slice)
            ecBlocks.append(encoder.remainder(of: slice))
            start += length
        }

        var result: [UInt8] = []
        result.reserveCapacity(version.totalCodewords)
        for column in 0...shortDataCount {
            for block in dataBlocks where column < block.count {
                result.append(block[block.startIndex + column])
            }
        }
        for column in 0..<ecCount {
            for block in ecBlocks { result.append(block[column]) }
        }
        return result
    }
}
