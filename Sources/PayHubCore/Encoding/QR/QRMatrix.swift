/// The module grid while a symbol is built: each module's colour and whether it belongs to a function pattern
/// (so data placement and masking skip it). Coordinates: x is the column, y the row, (0, 0) top left.
struct QRMatrix: Sendable {
    let size: Int
    private(set) var dark: [Bool]
    private(set) var isFunction: [Bool]

    /// A grid with finders, separators, timing and alignment patterns drawn, and the format and version
    /// areas (and the dark module) reserved but still light.
    init(version: QRVersion) {
        size = version.size
        dark = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        drawTimingPatterns()
        drawFinderPattern(centerX: 3, centerY: 3)
        drawFinderPattern(centerX: size - 4, centerY: 3)
        drawFinderPattern(centerX: 3, centerY: size - 4)
        drawAlignmentPatterns(centers: version.alignmentCenters)
        reserveFormatAreas()
        if version.number >= 7 { reserveVersionAreas() }
    }

    subscript(x: Int, y: Int) -> Bool {
        dark[y * size + x]
    }

    func isFunction(x: Int, y: Int) -> Bool {
        isFunction[y * size + x]
    }

    /// Colours a function module.
    mutating func setFunction(x: Int, y: Int, dark isDark: Bool) {
        dark[y * size + x] = isDark
        isFunction[y * size + x] = true
    }

    /// Colours a data module.
    mutating func setData(x: Int, y: Int, dark isDark: Bool) {
        dark[y * size + x] = isDark
    }

    mutating func flip(index: Int) {
        dark[index].toggle()
    }

    /// Row 6 and column 6 alternate dark and light, dark at even positions (§6.3.5).
    private mutating func drawTimingPatterns() {
        for position in 0..<size {
            setFunction(x: 6, y: position, dark: position % 2 == 0)
            setFunction(x: position, y: 6, dark: position % 2 == 0)
        }
    }

    /// A 7×7 finder (dark ring, light ring, 3×3 dark centre) and its light separator, clipped at the edges (§6.3.3).
    private mutating func drawFinderPattern(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx, y = centerY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x: x, y: y, dark: ring != 2 && ring != 4)
            }
        }
    }

    /// 5×5 alignment patterns at every pair of centres except where they would overlap a finder (§6.3.6).
    private mutating func drawAlignmentPatterns(centers: [Int]) {
        guard let last = centers.last else { return }
        for cy in centers {
            for cx in centers {
                let onFinder = (cx == 6 && cy == 6) || (cx == 6 && cy == last) || (cx == last && cy == 6)
                if onFinder { continue }
                for dy in -2...2 {
                    for dx in -2...2 {
                        setFunction(x: cx + dx, y: cy + dy, dark: max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }
    }

    /// The two copies of the format information and the dark module beside the lower-left one (§7.9.1).
    private mutating func reserveFormatAreas() {
        for position in 0...8 where position != 6 {
            setFunction(x: 8, y: position, dark: false)
            setFunction(x: position, y: 8, dark: false)
        }
        for offset in 0..<8 {
            setFunction(x: size - 1 - offset, y: 8, dark: false)
            setFunction(x: 8, y: size - 1 - offset, dark: false)
        }
    }

    /// The two 6×3 version information blocks of versions 7 and up (§7.10).
    private mutating func reserveVersionAreas() {
        for a in 0..<6 {
            for b in (size - 11)..<(size - 8) {
                setFunction(x: b, y: a, dark: false)
                setFunction(x: a, y: b, dark: false)
            }
        }
    }
}
