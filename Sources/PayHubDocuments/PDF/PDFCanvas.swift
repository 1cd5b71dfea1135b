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

    private mutating func emit(_ operators: String) {
        content += Array(operators.utf8)
        content.append(0x0A)
    }

    private func n(_ value: Double) -> String { PDFNumber.format(value) }

    private func flip(_ y: Double) -> Double { height - y }

    private func fill(_ color: PDFColor) -> String { "\(n(color.red)) \(n(color.green)) \(n(color.blue)) rg" }

    /// `text` with its baseline at `y`, starting at `x`.
    mutating func text(_ text: String, x: Double, y: Double, font: PDFFont, size: Double, color: PDFColor = .black) {
        let glyphs = font.glyphs(text)
        guard !glyphs.isEmpty else { return }
        var hex: [UInt8] = []
        PDFHex.append(glyphs.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, to: &hex)
        emit("BT /\(font.resourceName) \(n(size)) Tf \(fill(color)) 1 0 0 1 \(n(x)) \(n(flip(y))) Tm <\(String(decoding: hex, as: UTF8.self))> Tj ET")
    }

    /// `text` ending at `right`.
    mutating func text(_ text: String, right: Double, y: Double, font: PDFFont, size: Double, color: PDFColor = .black) {
        self.text(text, x: right - font.width(text, size: size), y: y, font: font, size: size, color: color)
    }

    mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Double, color: PDFColor) {
        emit("\(n(width)) w \(n(color.red)) \(n(color.green)) \(n(color.blue)) RG \(n(start.x)) \(n(flip(start.y))) m \(n(end.x)) \(n(flip(end.y))) l S")
    }

    /// A filled rectangle whose top-left corner is (`x`, `y`).
    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, color: PDFColor) {
        emit("\(fill(color)) \(n(x)) \(n(flip(y + height))) \(n(width)) \(n(height)) re f")
    }

    /// The image resource `Im1` in the box whose top-left corner is (`x`, `y`).
    mutating func image(x: Double, y: Double, width: Double, height: Double) {
        usesImage = true
        emit("q \(n(width)) 0 0 \(n(height)) \(n(x)) \(n(flip(y + height))) cm /Im1 Do Q")
    }
}
