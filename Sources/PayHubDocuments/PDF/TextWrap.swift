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

    private static func wrap(_ paragraph: String, font: PDFFont, size: Double, width: Double) -> [String] {
        let words = paragraph.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } })
        guard !words.isEmpty else { return [""] }
        var lines: [String] = []
        var line = ""
        for word in words.map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if font.width(candidate, size: size) <= width {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = ""
            var rest = Substring(word)
            while font.width(String(rest), size: size) > width {
                var cut = rest.startIndex
                while cut < rest.endIndex, font.width(String(rest[rest.startIndex...cut]), size: size) <= width { cut = rest.index(after: cut) }
                if cut == rest.startIndex { cut = rest.index(after: cut) }  // one character wider than the line
                lines.append(String(rest[..<cut]))
                rest = rest[cut...]
            }
            line = String(rest)
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
