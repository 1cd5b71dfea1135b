/// An RGB colour, each component 0...1.
struct PDFColor: Equatable, Sendable {
    var red: Double, green: Double, blue: Double

    init(_ red: Double, _ green: Double, _ blue: Double) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    init(gray: Double) { self.init(gray, gray, gray) }

    static let black = PDFColor(gray: 0)
}

/// The content stream of one page, drawn in points from the top-left corner (the PDF's origin is the bottom
/// left: `flip` converts). Text goes in as glyph ids in hex strings, never as literal strings.
struct PDFCanvas {
    let height: Double
    private(set) var content: [UInt8] = []
    private(set) var usesImage = false

    init(height: Double) { self.height = height }

    private func flip(_ y: Double) -> Double { height - y }

    /// Writes operands and operators straight into the content stream: numbers through `PDFNumber`, the rest as
    /// ASCII.
    private mutating func put(_ text: StaticString) {
        content.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func put(_ value: Double) { PDFNumber.append(value, to: &content) }

    private mutating func put(_ a: Double, _ b: Double) {
        put(a)
        put(" ")
        put(b)
    }

    /// `r g b` followed by ` rg` (fill) or ` RG` (stroke).
    private mutating func put(_ color: PDFColor) {
        put(color.red, color.green)
        put(" ")
        put(color.blue)
    }

    /// `text` with its baseline at `y`, starting at `x`.
    mutating func text(_ text: String, x: Double, y: Double, font: PDFFont, size: Double, color: PDFColor = .black) {
        draw(font.glyphs(text), x: x, y: y, font: font, size: size, color: color)
    }

    /// `text` ending at `right`.
    mutating func text(_ text: String, right: Double, y: Double, font: PDFFont, size: Double, color: PDFColor = .black) {
        let glyphs = font.glyphs(text)
        draw(glyphs, x: right - font.width(glyphs: glyphs, size: size), y: y, font: font, size: size, color: color)
    }

    private mutating func draw(_ glyphs: [UInt16], x: Double, y: Double, font: PDFFont, size: Double, color: PDFColor) {
        guard !glyphs.isEmpty else { return }
        put("BT /")
        content += font.resourceName.utf8
        put(" ")
        put(size)
        put(" Tf ")
        put(color)
        put(" rg 1 0 0 1 ")
        put(x, flip(y))
        put(" Tm <")
        PDFHex.append(glyphs: glyphs, to: &content)
        put("> Tj ET\n")
    }

    mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Double, color: PDFColor) {
        put(width)
        put(" w ")
        put(color)
        put(" RG ")
        put(start.x, flip(start.y))
        put(" m ")
        put(end.x, flip(end.y))
        put(" l S\n")
    }

    /// A filled rectangle whose top-left corner is (`x`, `y`).
    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, color: PDFColor) {
        put(color)
        put(" rg ")
        put(x, flip(y + height))
        put(" ")
        put(width, height)
        put(" re f\n")
    }

    /// The image resource `Im1` in the box whose top-left corner is (`x`, `y`).
    mutating func image(x: Double, y: Double, width: Double, height: Double) {
        usesImage = true
        put("q ")
        put(width)
        put(" 0 0 ")
        put(height)
        put(" ")
        put(x, flip(y + height))
        put(" cm /Im1 Do Q\n")
    }
}
