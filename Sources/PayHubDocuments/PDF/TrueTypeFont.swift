/// The parts of a TrueType font a PDF needs (OpenType spec, "TrueType" tables): the Unicode→glyph map (cmap
/// format 4), the advance widths (hmtx), and the metrics of the font descriptor (head, hhea, OS/2, post).
struct TrueTypeFont: Sendable {
    /// The whole font file, embedded as /FontFile2.
    let data: [UInt8]
    let postScriptName: String
    let unitsPerEm: Int
    /// xMin, yMin, xMax, yMax in font units.
    let boundingBox: [Int]
    let ascender: Int
    let descender: Int
    let capHeight: Int
    let italicAngle: Double
    let weightClass: Int
    let isFixedPitch: Bool
    /// Advance widths in font units, by glyph id.
    let advances: [Int]
    let glyphsByScalar: [UInt32: UInt16]

    init(_ data: [UInt8], postScriptName: String) throws(TrueTypeFontInvalid) {
        self.data = data
        self.postScriptName = postScriptName
        let reader = FontReader(data)
        let tables = try Self.tableDirectory(reader)
        func table(_ tag: String) throws(TrueTypeFontInvalid) -> Int {
            guard let offset = tables[tag] else { throw .missingTable(tag) }
            return offset
        }
        let head = try table("head"), hhea = try table("hhea"), maxp = try table("maxp"), hmtx = try table("hmtx")
        let os2 = try table("OS/2"), post = try table("post"), cmap = try table("cmap")
        unitsPerEm = try reader.u16(head + 18)
        guard (16...16384).contains(unitsPerEm) else { throw .malformed("head.unitsPerEm") }
        boundingBox = [try reader.i16(head + 36), try reader.i16(head + 38), try reader.i16(head + 40), try reader.i16(head + 42)]
        let longLoca = try reader.i16(head + 50) == 1
        ascender = try reader.i16(hhea + 4)
        descender = try reader.i16(hhea + 6)
        let metricsCount = try reader.u16(hhea + 34)
        let glyphCount = try reader.u16(maxp + 4)
        guard metricsCount >= 1, metricsCount <= glyphCount else { throw .malformed("hhea.numberOfHMetrics") }
        var advances: [Int] = []
        for glyph in 0..<metricsCount { advances.append(try reader.u16(hmtx + 4 * glyph)) }
        advances += Array(repeating: advances[metricsCount - 1], count: glyphCount - metricsCount)
        self.advances = advances
        weightClass = try reader.u16(os2 + 4)
        italicAngle = Double(try reader.i32(post + 4)) / 65536
        isFixedPitch = try reader.u32(post + 12) != 0
        glyphsByScalar = try Self.cmapFormat4(reader, at: cmap, glyphCount: glyphCount)
        // OS/2 version 2 and later carry sCapHeight; before that, the height of "H" as drawn.
        if try reader.u16(os2) >= 2, let height = try? reader.i16(os2 + 88), height > 0 {
            capHeight = height
        } else if let glyph = glyphsByScalar[0x48], let loca = tables["loca"], let glyf = tables["glyf"] {
            let start = longLoca ? try reader.u32(loca + 4 * Int(glyph)) : 2 * (try reader.u16(loca + 2 * Int(glyph)))
            capHeight = try reader.i16(glyf + start + 8)  // the glyph header's yMax
        } else {
            capHeight = ascender
        }
    }

    /// The glyph for a scalar, if the font has one.
    func glyph(for scalar: Unicode.Scalar) -> UInt16? { glyphsByScalar[scalar.value] }

    /// A glyph's advance in thousandths of an em, rounded: what /W says and what text measurement uses, so a
    /// right-aligned amount ends exactly where the viewer draws it.
    func width(of glyph: UInt16) -> Int {
        let index = Int(glyph)
        return index < advances.count ? Self.thousandths(advances[index], unitsPerEm) : 0
    }

    func thousandths(_ units: Int) -> Int { Self.thousandths(units, unitsPerEm) }

    private static func thousandths(_ units: Int, _ unitsPerEm: Int) -> Int {
        let scaled = units * 1000
        return scaled >= 0 ? (scaled + unitsPerEm / 2) / unitsPerEm : -((-scaled + unitsPerEm / 2) / unitsPerEm)
    }

    private static func tableDirectory(_ reader: FontReader) throws(TrueTypeFontInvalid) -> [String: Int] {
        let version = try reader.u32(0)
        guard version == 0x0001_0000 || version == 0x7472_7565 else { throw .malformed("sfnt version (not a TrueType font)") }
        var tables: [String: Int] = [:]
        for index in 0..<(try reader.u16(4)) {
            let record = 12 + 16 * index
            let tag = String(decoding: try reader.bytes(record, 4), as: UTF8.self)
            let offset = try reader.u32(record + 8), length = try reader.u32(record + 12)
            guard offset + length <= reader.count else { throw .malformed("table \(tag) outside the file") }
            tables[tag] = offset
        }
        return tables
    }

    /// Every mapping of the Windows Unicode BMP subtable (platform 3, encoding 1), format 4.
    private static func cmapFormat4(_ reader: FontReader, at cmap: Int, glyphCount: Int) throws(TrueTypeFontInvalid) -> [UInt32: UInt16] {
        var subtable: Int?
        for index in 0..<(try reader.u16(cmap + 2)) {
            let record = cmap + 4 + 8 * index
            if try reader.u16(record) == 3, try reader.u16(record + 2) == 1 { subtable = cmap + (try reader.u32(record + 4)) }
        }
        guard let table = subtable, try reader.u16(table) == 4 else { throw .missingTable("cmap (3,1) format 4") }
        let segments = try reader.u16(table + 6) / 2
        let ends = table + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, rangeOffsets = deltas + 2 * segments
        var map: [UInt32: UInt16] = [:]
        for segment in 0..<segments {
            let end = try reader.u16(ends + 2 * segment), start = try reader.u16(starts + 2 * segment)
            let delta = try reader.u16(deltas + 2 * segment)
            let rangeOffsetAt = rangeOffsets + 2 * segment
            let rangeOffset = try reader.u16(rangeOffsetAt)
            guard start <= end, end != 0xFFFF else { continue }
            for code in start...end {
                var glyph: Int
                if rangeOffset == 0 {
                    glyph = (code + delta) & 0xFFFF
                } else {
                    glyph = try reader.u16(rangeOffsetAt + rangeOffset + 2 * (code - start))
                    if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                }
                if glyph != 0, glyph < glyphCount { map[UInt32(code)] = UInt16(glyph) }
            }
        }
        return map
    }
}

enum TrueTypeFontInvalid: Error, Equatable, CustomStringConvertible {
    case missingTable(String)
    case malformed(String)
    case truncated

    var description: String {
        switch self {
        case .missingTable(let tag): "The font has no \(tag) table."
        case .malformed(let what): "The font's \(what) is malformed."
        case .truncated: "The font is truncated."
        }
    }
}

/// Big-endian reads that fail instead of trapping on a short or hostile file.
private struct FontReader {
    let data: [UInt8]
    var count: Int { data.count }

    init(_ data: [UInt8]) { self.data = data }

    func bytes(_ offset: Int, _ length: Int) throws(TrueTypeFontInvalid) -> ArraySlice<UInt8> {
        guard offset >= 0, length >= 0, offset <= data.count - length else { throw .truncated }
        return data[offset..<(offset + length)]
    }

    func u16(_ offset: Int) throws(TrueTypeFontInvalid) -> Int {
        let b = try bytes(offset, 2)
        return Int(b[b.startIndex]) << 8 | Int(b[b.startIndex + 1])
    }

    func i16(_ offset: Int) throws(TrueTypeFontInvalid) -> Int { Int(Int16(bitPattern: UInt16(try u16(offset)))) }

    func u32(_ offset: Int) throws(TrueTypeFontInvalid) -> Int { try u16(offset) << 16 | (try u16(offset + 2)) }

    func i32(_ offset: Int) throws(TrueTypeFontInvalid) -> Int { Int(Int32(bitPattern: UInt32(try u32(offset)))) }
}
