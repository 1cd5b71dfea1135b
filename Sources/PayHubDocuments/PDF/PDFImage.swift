import PayHubCore

/// The merchant's logo as an image XObject: a JPEG goes in as it is (DCTDecode); an opaque PNG's IDAT stream is
/// already a zlib stream with PNG row filters, which PDF's FlateDecode with /Predictor 15 reads as it is; an
/// 8-bit PNG with an alpha channel is inflated here (`Inflate`, Foundation on Linux has no zlib and the package
/// links no C library) and split into colours and a soft mask (`PNGAlpha`). Refused: interlaced PNGs, tRNS
/// transparency, 16-bit alpha.
struct PDFImage: Sendable {
    let width: Int
    let height: Int
    let dictionary: [(String, PDFObject)]
    let data: [UInt8]
    /// The soft mask's dictionary and data, for a PNG with an alpha channel.
    let mask: (dictionary: [(String, PDFObject)], data: [UInt8])?

    static let maximumSide = 10_000

    init(_ logo: InvoiceLogo) throws(PDFImageInvalid) {
        switch logo.mediaType {
        case .jpeg: self = try Self.jpeg(logo.bytes)
        case .png: self = try Self.png(logo.bytes)
        }
    }

    private init(width: Int, height: Int, dictionary: [(String, PDFObject)], data: [UInt8], mask: [UInt8]? = nil) throws(PDFImageInvalid) {
        guard (1...Self.maximumSide).contains(width), (1...Self.maximumSide).contains(height) else { throw .badSize(width, height) }
        self.width = width
        self.height = height
        self.dictionary = [("Type", .name("XObject")), ("Subtype", .name("Image")), ("Width", .int(width)), ("Height", .int(height))] + dictionary
        self.data = data
        self.mask = mask.map { alpha in
            let entries: [(String, PDFObject)] = [
                ("Type", .name("XObject")), ("Subtype", .name("Image")), ("Width", .int(width)), ("Height", .int(height)),
                ("ColorSpace", .name("DeviceGray")), ("BitsPerComponent", .int(8)), ("Filter", .name("RunLengthDecode")),
            ]
            return (entries, alpha)
        }
    }

    // MARK: JPEG

    private static func jpeg(_ bytes: [UInt8]) throws(PDFImageInvalid) -> PDFImage {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw .notJPEG }
        var position = 2
        var adobe = false
        while position + 4 <= bytes.count {
            guard bytes[position] == 0xFF else { throw .notJPEG }
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { position += 2; continue }
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            guard length >= 2, position + 2 + length <= bytes.count else { throw .notJPEG }
            let segment = position + 4
            if marker == 0xEE, length >= 7, Array(bytes[segment..<(segment + 5)]) == Array("Adobe".utf8) { adobe = true }
            let isFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isFrame {
                guard length >= 8 else { throw .notJPEG }
                let precision = Int(bytes[segment])
                let height = Int(bytes[segment + 1]) << 8 | Int(bytes[segment + 2])
                let width = Int(bytes[segment + 3]) << 8 | Int(bytes[segment + 4])
                let components = Int(bytes[segment + 5])
                guard precision == 8 else { throw .unsupported("a JPEG of \(precision) bits per sample") }
                var dictionary: [(String, PDFObject)] = [("BitsPerComponent", .int(8)), ("Filter", .name("DCTDecode"))]
                switch components {
                case 1: dictionary.append(("ColorSpace", .name("DeviceGray")))
                case 3: dictionary.append(("ColorSpace", .name("DeviceRGB")))
                case 4:
                    dictionary.append(("ColorSpace", .name("DeviceCMYK")))
                    // Adobe's CMYK JPEGs store inverted values.
                    if adobe { dictionary.append(("Decode", .array([1, 0, 1, 0, 1, 0, 1, 0].map { .int($0) }))) }
                default: throw .unsupported("a JPEG with \(components) components")
                }
                return try PDFImage(width: width, height: height, dictionary: dictionary, data: bytes)
            }
            if marker == 0xDA || marker == 0xD9 { break }  // scan data or end before any frame header
            position += 2 + length
        }
        throw .notJPEG
    }

    // MARK: PNG

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private static func png(_ bytes: [UInt8]) throws(PDFImageInvalid) -> PDFImage {
        guard bytes.count > 8, Array(bytes[0..<8]) == pngSignature else { throw .notPNG }
        var position = 8
        var header: [UInt8]?
        var palette: [UInt8]?
        var compressed: [UInt8] = []
        var ended = false
        while position + 12 <= bytes.count, !ended {
            let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            let start = position + 8
            guard length >= 0, start + length + 4 <= bytes.count else { throw .notPNG }
            let body = Array(bytes[start..<(start + length)])
            switch type {
            case "IHDR": header = body
            case "PLTE": palette = body
            case "IDAT": compressed += body
            case "tRNS": throw .unsupported("a PNG with transparency (tRNS); use an opaque PNG or a JPEG")
            case "IEND": ended = true
            default: break
            }
            position = start + length + 4
        }
        guard ended, let header, header.count == 13, !compressed.isEmpty else { throw .notPNG }
        let width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        let height = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        let depth = Int(header[8]), colorType = header[9]
        guard header[10] == 0, header[11] == 0 else { throw .notPNG }
        guard header[12] == 0 else { throw .unsupported("an interlaced PNG; save it without interlacing or as a JPEG") }
        // A zlib stream: deflate (CM 8), header check bits right.
        guard compressed.count > 2, compressed[0] & 0x0F == 8, (Int(compressed[0]) << 8 | Int(compressed[1])) % 31 == 0 else { throw .notPNG }
        let colors: Int
        var colorSpace: PDFObject
        switch colorType {
        case 0:
            guard [1, 2, 4, 8, 16].contains(depth) else { throw .notPNG }
            (colors, colorSpace) = (1, .name("DeviceGray"))
        case 2:
            guard [8, 16].contains(depth) else { throw .notPNG }
            (colors, colorSpace) = (3, .name("DeviceRGB"))
        case 3:
            guard [1, 2, 4, 8].contains(depth), let palette, !palette.isEmpty, palette.count % 3 == 0, palette.count / 3 <= 1 << depth
            else { throw .notPNG }
            colors = 1
            colorSpace = .array([.name("Indexed"), .name("DeviceRGB"), .int(palette.count / 3 - 1), .hexString(palette)])
        case 4, 6:
            guard depth == 8 else { throw .unsupported("a PNG with a 16-bit alpha channel; save it with 8 bits per channel") }
            let colors = colorType == 4 ? 1 : 3
            let (pixels, alpha) = try PNGAlpha.split(compressed: compressed, width: width, height: height, colors: colors)
            return try PDFImage(
                width: width, height: height,
                dictionary: [("ColorSpace", .name(colors == 1 ? "DeviceGray" : "DeviceRGB")), ("BitsPerComponent", .int(8)), ("Filter", .name("RunLengthDecode"))],
                data: PNGAlpha.runLength(pixels), mask: PNGAlpha.runLength(alpha)
            )
        default: throw .notPNG
        }
        let parameters = PDFObject.dictionary([("Predictor", .int(15)), ("Colors", .int(colors)), ("BitsPerComponent", .int(depth)), ("Columns", .int(width))])
        return try PDFImage(
            width: width, height: height,
            dictionary: [("ColorSpace", colorSpace), ("BitsPerComponent", .int(depth)), ("Filter", .name("FlateDecode")), ("DecodeParms", parameters)],
            data: compressed
        )
    }
}

enum PDFImageInvalid: Error, Equatable, CustomStringConvertible {
    case notJPEG
    case notPNG
    case badSize(Int, Int)
    case unsupported(String)

    var description: String {
        switch self {
        case .notJPEG: "The logo is not a valid JPEG."
        case .notPNG: "The logo is not a valid PNG."
        case .badSize(let width, let height): "The logo is \(width)×\(height) pixels; each side must be 1 to \(PDFImage.maximumSide)."
        case .unsupported(let what): "PDF logos cannot be \(what)."
        }
    }
}
