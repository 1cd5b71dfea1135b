/// A zlib (RFC 1950) / deflate (RFC 1951) decoder, for the PNG logos whose alpha channel must be split from
/// their colours. Canonical Huffman decoding bit by bit, as zlib's "puff" does: slow but small, and logos are
/// small. Output is capped, so a compressed bomb is refused instead of filling memory.
enum Inflate {
    enum Failure: Error, Equatable { case malformed, tooLarge }

    static func zlib(_ bytes: [UInt8], maximumOutput: Int) throws(Failure) -> [UInt8] {
        guard bytes.count > 6, bytes[0] & 0x0F == 8, (Int(bytes[0]) << 8 | Int(bytes[1])) % 31 == 0, bytes[1] & 0x20 == 0 else { throw .malformed }
        var reader = BitReader(bytes: bytes, position: 2)
        var out: [UInt8] = []
        var final = false
        while !final {
            final = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0: try stored(&reader, into: &out, maximum: maximumOutput)
            case 1: try compressed(&reader, literals: fixedLiterals, distances: fixedDistances, into: &out, maximum: maximumOutput)
            case 2:
                let (literals, distances) = try dynamicTables(&reader)
                try compressed(&reader, literals: literals, distances: distances, into: &out, maximum: maximumOutput)
            default: throw .malformed
            }
        }
        return out
    }

    private struct BitReader {
        let bytes: [UInt8]
        var position: Int
        var buffer = 0, count = 0

        init(bytes: [UInt8], position: Int) {
            self.bytes = bytes
            self.position = position
        }

        mutating func bits(_ needed: Int) throws(Failure) -> Int {
            while count < needed {
                guard position < bytes.count else { throw .malformed }
                buffer |= Int(bytes[position]) << count
                position += 1
                count += 8
            }
            let value = buffer & ((1 << needed) - 1)
            buffer >>= needed
            count -= needed
            return value
        }

        mutating func alignToByte() {
            buffer = 0
            count = 0
        }
    }

    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws(Failure) {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<16 { offsets[length] = offsets[length - 1] + counts[length - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }

        func decode(_ reader: inout BitReader) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try reader.bits(1)
                let count = counts[length]
                if code - first < count { return symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw .malformed
        }
    }

    private static func stored(_ reader: inout BitReader, into out: inout [UInt8], maximum: Int) throws(Failure) {
        reader.alignToByte()
        let start = reader.position
        guard start + 4 <= reader.bytes.count else { throw .malformed }
        let length = Int(reader.bytes[start]) | Int(reader.bytes[start + 1]) << 8
        let complement = Int(reader.bytes[start + 2]) | Int(reader.bytes[start + 3]) << 8
        guard length == complement ^ 0xFFFF, start + 4 + length <= reader.bytes.count else { throw .malformed }
        guard out.count + length <= maximum else { throw .tooLarge }
        out += reader.bytes[(start + 4)..<(start + 4 + length)]
        reader.position = start + 4 + length
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static let fixedLiterals = try! Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
    private static let fixedDistances = try! Huffman(lengths: [Int](repeating: 5, count: 30))

    private static func compressed(_ reader: inout BitReader, literals: Huffman, distances: Huffman, into out: inout [UInt8], maximum: Int) throws(Failure) {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                guard out.count < maximum else { throw .tooLarge }
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < lengthBase.count else { throw .malformed }
                let length = lengthBase[index] + (try reader.bits(lengthExtra[index]))
                let distanceCode = try distances.decode(&reader)
                guard distanceCode < distanceBase.count else { throw .malformed }
                let distance = distanceBase[distanceCode] + (try reader.bits(distanceExtra[distanceCode]))
                guard distance <= out.count else { throw .malformed }
                guard out.count + length <= maximum else { throw .tooLarge }
                let start = out.count - distance
                for offset in 0..<length { out.append(out[start + offset]) }
            }
        }
    }

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static func dynamicTables(_ reader: inout BitReader) throws(Failure) -> (Huffman, Huffman) {
        let literalCount = try reader.bits(5) + 257, distanceCount = try reader.bits(5) + 1, codeCount = try reader.bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .malformed }
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeCount { codeLengths[codeLengthOrder[index]] = try reader.bits(3) }
        let codeTable = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try codeTable.decode(&reader)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw .malformed }
                lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else { throw .malformed }
        return (try Huffman(lengths: Array(lengths[0..<literalCount])), try Huffman(lengths: Array(lengths[literalCount...])))
    }
}
