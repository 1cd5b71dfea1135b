/// Breaks text into lines no wider than a width, measured with the font's advance widths: at spaces, and inside
/// a word only when the word alone is wider than the line. Control characters and line breaks count as spaces
/// unless `keepLineBreaks` (a note's paragraphs).
enum TextWrap {
    static func lines(_ text: String, font: PDFFont, size: Double, width: Double, keepLineBreaks: Bool = false, maximumLines: Int = .max) -> [String] {
        let paragraphs = keepLineBreaks ? text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) : [text]
        var lines: [String] = []
        for paragraph in paragraphs {
            lines += wrap(paragraph, font: font, size: size, width: width)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count > maximumLines else { return lines }
        var kept = Array(lines.prefix(maximumLines))
        kept[kept.count - 1] = truncated(kept[kept.count - 1] + "…", font: font, size: size, width: width)
        return kept
    }

    /// One line: `text` cut with an ellipsis where it would pass `width`.
    static func truncated(_ text: String, font: PDFFont, size: Double, width: Double) -> String {
        guard font.width(text, size: size) > width else { return text }
        let room = width - font.width("…", size: size)
        var kept = "", used = 0.0
        for character in text {
            let advance = font.width(String(character), size: size)
            guard used + advance <= room else { break }
            kept.append(character)
            used += advance
        }
        return kept + "…"
    }

    /// Words are measured once: a line's width is the sum of its words' and spaces' when they are stable text
    /// (`PDFFont.units`), which is what measuring the joined line gives; any other text is measured joined.
    private static func wrap(_ paragraph: String, font: PDFFont, size: Double, width: Double) -> [String] {
        let words = words(paragraph)
        guard !words.isEmpty else { return [""] }
        let space = font.units(" ")
        var lines: [String] = []
        var line = ""
        var lineUnits: Int? = 0
        for word in words {
            let wordUnits = font.units(word)
            var candidateUnits: Int?
            if let lineUnits, let wordUnits {
                candidateUnits = line.isEmpty ? wordUnits : space.map { lineUnits + $0 + wordUnits }
            }
            let candidate = line.isEmpty ? String(word) : line + " " + word
            let candidateWidth = candidateUnits.map { PDFFont.points($0, size: size) } ?? font.width(candidate, size: size)
            if candidateWidth <= width {
                line = candidate
                lineUnits = candidateUnits
                continue
            }
            if !line.isEmpty { lines.append(line) }
            var rest = word
            if wordUnits != nil {
                (rest, lineUnits) = cutStable(rest, font: font, size: size, width: width, into: &lines)
            } else {
                rest = cut(rest, font: font, size: size, width: width, into: &lines)
                lineUnits = nil
            }
            line = String(rest)
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// What lies between white space and control characters. Stable text is split scalar by scalar, each being a
    /// character of its own (`StableText`), without breaking it into characters.
    private static func words(_ paragraph: String) -> [Substring] {
        let scalars = paragraph.unicodeScalars
        guard StableText.isStable(paragraph) else {
            return paragraph.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } })
        }
        var words: [Substring] = []
        var start: String.Index?
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if StableText.isSeparator(scalars[index]) {
                if let wordStart = start { words.append(paragraph[wordStart..<index]) }
                start = nil
            } else if start == nil {
                start = index
            }
            index = scalars.index(after: index)
        }
        if let wordStart = start { words.append(paragraph[wordStart...]) }
        return words
    }

    /// Cuts lines off a word wider than the line, one character at a time: each as many characters as fit (one
    /// at least); returns the rest, which fits.
    private static func cut(_ word: Substring, font: PDFFont, size: Double, width: Double, into lines: inout [String]) -> Substring {
        var rest = word
        while font.width(rest, size: size) > width {
            var cut = rest.startIndex
            while cut < rest.endIndex, font.width(rest[rest.startIndex...cut], size: size) <= width { cut = rest.index(after: cut) }
            if cut == rest.startIndex { cut = rest.index(after: cut) }  // one character wider than the line
            lines.append(String(rest[..<cut]))
            rest = rest[cut...]
        }
        return rest
    }

    /// `cut` for a stable word, whose prefixes' widths are running sums; returns the rest and its width.
    private static func cutStable(_ word: Substring, font: PDFFont, size: Double, width: Double, into lines: inout [String]) -> (Substring, Int?) {
        var rest = word
        var restUnits = font.units(rest) ?? 0
        while PDFFont.points(restUnits, size: size) > width {
            var cut = rest.startIndex
            var used = 0
            while cut < rest.endIndex {
                let next = rest.index(after: cut)
                let through = used + (font.units(rest[cut..<next]) ?? 0)
                guard PDFFont.points(through, size: size) <= width else { break }
                used = through
                cut = next
            }
            if cut == rest.startIndex {  // one character wider than the line
                cut = rest.index(after: cut)
                used = font.units(rest[..<cut]) ?? 0
            }
            lines.append(String(rest[..<cut]))
            rest = rest[cut...]
            restUnits -= used
        }
        return (rest, restUnits)
    }
}
