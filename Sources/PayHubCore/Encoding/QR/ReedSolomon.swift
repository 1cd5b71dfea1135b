/// Reed–Solomon error correction codewords over GF(256) for one block (ISO/IEC 18004 §7.5.2).
struct ReedSolomon: Sendable {
    /// Coefficients of (x - α^0)(x - α^1)…(x - α^(n-1)) without the leading 1, highest degree first.
    private let generator: [UInt8]

    init(ecCodewordCount: Int) {
        var coefficients = [UInt8](repeating: 0, count: ecCodewordCount)
        coefficients[ecCodewordCount - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<ecCodewordCount {
            // Multiply by (x - root): shift left one degree, add root times the old polynomial.
            for index in 0..<ecCodewordCount {
                coefficients[index] = GaloisField256.multiply(coefficients[index], root)
                if index + 1 < ecCodewordCount { coefficients[index] ^= coefficients[index + 1] }
            }
            root = GaloisField256.multiply(root, 2)
        }
        generator = coefficients
    }

    /// The remainder of data·x^n divided by the generator: the block's error correction codewords.
    func remainder(of data: ArraySlice<UInt8>) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for index in result.indices {
                result[index] ^= GaloisField256.multiply(generator[index], factor)
            }
        }
        return result
    }
}
