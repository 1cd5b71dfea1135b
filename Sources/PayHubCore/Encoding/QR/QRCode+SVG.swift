extension QRCode {
    /// A standalone SVG of the symbol: black modules on a white square, `quietZone` light modules around, each module
    /// `moduleSize` pixels. One `<path>` draws the dark modules, one horizontal run at a time. No scripts, styles
    /// or external references, so it can be embedded as `data:image/svg+xml;base64,…`.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        precondition(moduleSize > 0 && quietZone >= 0, "modules have a positive size and the quiet zone is not negative")
        let side = size + 2 * quietZone
        let pixels = side * moduleSize
        var text = SVGText()
        text.write(#"<svg xmlns="http://www.w3.org/2000/svg" width=""#); text.write(pixels)
        text.write(#"" height=""#); text.write(pixels)
        text.write(#"" viewBox="0 0 "#); text.write(side); text.write(" "); text.write(side)
        text.write(#"" shape-rendering="crispEdges"><rect width=""#); text.write(side)
        text.write(#"" height=""#); text.write(side)
        text.write(##"" fill="#fff"/><path fill="#000" d=""##)
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while x < size && isDark(x: x, y: y) { x += 1 }
                text.write("M"); text.write(start + quietZone); text.write(" "); text.write(y + quietZone)
                text.write("h"); text.write(x - start); text.write("v1h-"); text.write(x - start); text.write("z")
            }
        }
        text.write(#""/></svg>"#)
        return text.string
    }
}

/// ASCII text built from literals and non-negative integers without intermediate strings.
private struct SVGText {
    private var bytes: [UInt8] = []

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func write(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ number: Int) {
        precondition(number >= 0, "sizes and coordinates are not negative")
        var divisor = 1
        while divisor * 10 <= number { divisor *= 10 }
        var rest = number
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
