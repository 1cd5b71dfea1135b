/// A PNG with an alpha channel (colour type 4 or 6, 8 bits): inflated, its row filters undone, and split into
/// the colours and a soft mask, each written with PDF's RunLengthDecode (logos are mostly flat colour, and the
/// package has no deflate encoder).
enum PNGAlpha {
    /// Decoded sizes above this are refused (a 2000×2000 RGBA logo is 16 MB).
    static let maximumDecodedBytes = 16 << 20

    static func split(compressed: [UInt8], width: Int, height: Int, colors: Int) throws(PDFImageInvalid) -> (colors: [UInt8], alpha: [UInt8]) {
        let channels = colors + 1
        let stride = width * channels
        guard (stride + 1) * height <= maximumDecodedBytes else { throw .unsupported("a PNG of more than \(maximumDecodedBytes >> 20) MB decoded") }
        let raw: [UInt8]
        do {
            raw = try Inflate.zlib(compressed, maximumOutput: (stride + 1) * height)
        } catch {
            throw .notPNG
        }
        guard raw.count == (stride + 1) * height else { throw .notPNG }
        var previous = [UInt8](repeating: 0, count: stride)
        var colorBytes: [UInt8] = [], alpha: [UInt8] = []
        colorBytes.reserveCapacity(width * height * colors)
        alpha.reserveCapacity(width * height)
        for row in 0..<height {
            let start = row * (stride + 1)
            let filter = raw[start]
            var line = Array(raw[(start + 1)..<(start + 1 + stride)])
            try unfilter(&line, previous: previous, filter: filter, bytesPerPixel: channels)
            for pixel in 0..<width {
                colorBytes += line[(pixel * channels)..<(pixel * channels + colors)]
                alpha.append(line[pixel * channels + colors])
            }
            previous = line
        }
        return (colorBytes, alpha)
    }

    /// PNG's five filter types (PNG spec §9).
    static func unfilter(_ line: inout [UInt8], previous: [UInt8], filter: UInt8, bytesPerPixel: Int) throws(PDFImageInvalid) {
        for index in line.indices {
            let left = index >= bytesPerPixel ? Int(line[index - bytesPerPixel]) : 0
            let up = Int(previous[index])
            let upLeft = index >= bytesPerPixel ? Int(previous[index - bytesPerPixel]) : 0
            let predictor: Int
            switch filter {
            case 0: predictor = 0
            case 1: predictor = left
            case 2: predictor = up
            case 3: predictor = (left + up) / 2
            case 4:
                let estimate = left + up - upLeft
                let (a, b, c) = (abs(estimate - left), abs(estimate - up), abs(estimate - upLeft))
                predictor = a <= b && a <= c ? left : (b <= c ? up : upLeft)
            default: throw .notPNG
            }
            line[index] = UInt8(truncatingIfNeeded: Int(line[index]) + predictor)
        }
    }

    /// PDF's RunLengthDecode encoding (§7.4.5): runs of 2 to 128 equal bytes as (257 − n, byte), other bytes as
    /// literal groups of up to 128, and 128 at the end.
    static func runLength(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var literal: [UInt8] = []
        func flush() {
            guard !literal.isEmpty else { return }
            out.append(UInt8(literal.count - 1))
            out += literal
            literal.removeAll(keepingCapacity: true)
        }
        var index = 0
        while index < data.count {
            var run = 1
            while index + run < data.count, run < 128, data[index + run] == data[index] { run += 1 }
            if run >= 2 {
                flush()
                out += [UInt8(257 - run), data[index]]
                index += run
            } else {
                literal.append(data[index])
                if literal.count == 128 { flush() }
                index += 1
            }
        }
        flush()
        out.append(128)
        return out
    }
}
