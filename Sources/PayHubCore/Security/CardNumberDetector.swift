/// Finds what looks like a raw card number (a PAN) in text, so PayHub can refuse it before storing or logging.
/// A PAN here is 13 to 19 digits with a card network's prefix and length, passing the Luhn check. It may be written
/// as one run of digits, where it can sit anywhere inside a longer run (every 13-19 digit window of a run is
/// tried), or as groups of digits joined by spaces or dashes, where it is made of whole groups (every span of
/// whole groups is tried, so the digits of a date or an expiry next to it do not hide it). Digits that touch a
/// letter belong to a word (a UUID's `a4862885`), not to a group, and are never joined to the groups beside them.
public enum CardNumberDetector {
    public static func containsCardNumber(_ text: String) -> Bool {
        if tooFewDigits(text) { return false }
        var scanner = CardNumberScanner()
        for scalar in text.unicodeScalars where scanner.feed(scalar) { return true }
        return scanner.finish()
    }

    /// A quick way out for most texts: ASCII with fewer than 13 ASCII digits cannot hold a card number, even
    /// escaped or percent-encoded (every escape of a decimal digit spells at least one ASCII digit).
    static func tooFewDigits(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { tooFewDigits($0) }
    }

    static func tooFewDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0
        for byte in bytes {
            if byte >= 0x80 { return false }
            if byte &- 0x30 < 10 {
                digits += 1
                if digits >= CardNumberScanner.cardLengths.lowerBound { return false }
            }
        }
        return true
    }

    /// A whole run of digits (separators removed) that is a plausible PAN.
    public static func isCardNumber(_ digits: some Collection<UInt8>) -> Bool {
        (13...19).contains(digits.count) && network(of: digits) != nil && passesLuhn(digits)
    }

    public static func passesLuhn(_ digits: some Collection<UInt8>) -> Bool {
        var sum = 0
        var doubled = false
        for digit in digits.reversed() {
            var value = Int(digit)
            if doubled {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            doubled.toggle()
        }
        return sum % 10 == 0
    }

    /// The card network whose prefix and length rules the digits satisfy.
    public static func network(of digits: some Collection<UInt8>) -> String? {
        func prefix(_ count: Int) -> Int { digits.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        let length = digits.count
        if digits.first == 4, [13, 16, 19].contains(length) { return "visa" }
        if (51...55).contains(prefix(2)) || (2221...2720).contains(prefix(4)), length == 16 { return "mastercard" }
        if [34, 37].contains(prefix(2)), length == 15 { return "amex" }
        if prefix(4) == 6011 || prefix(2) == 65 || (644...649).contains(prefix(3)), (16...19).contains(length) {
            return "discover"
        }
        if (3528...3589).contains(prefix(4)), (16...19).contains(length) { return "jcb" }
        if (300...305).contains(prefix(3)) || [36, 38, 39].contains(prefix(2)), (14...19).contains(length) {
            return "diners"
        }
        if prefix(2) == 62, (16...19).contains(length) { return "unionpay" }
        if [50, 56, 57, 58, 67].contains(prefix(2)) || prefix(4) == 6304, (12...19).contains(length) {
            return "maestro"
        }
        return nil
    }
}

/// The incremental form of `CardNumberDetector`: feed it a text's Unicode scalars one at a time (`feed` answers
/// true as soon as a sequence that ended holds a card number), then `finish`.
/// Digits are any Unicode decimal digits; separators are spaces and dashes (at most three in a row). A run of digits
/// that touches a letter (`a4862885-960962bc` in a UUID) is part of a word, not a whole group: it is searched on its
/// own, but never joined to the groups beside it.
public struct CardNumberScanner: Sendable {
    static let cardLengths = 13...19
    static let maximumSeparatorRun = 3

    /// The digits of the current sequence of groups, and where each group but the last ends in `digits`.
    private var digits: [UInt8] = []
    private var groupEnds: [Int] = []
    private var separatorRun = 0
    private var firstGroupIsWhole = true
    private var previousIsLetter = false

    public init() {}

    /// Adds one scalar; true when the sequence it ends contains a card number.
    public mutating func feed(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return feed(ascii: UInt8(truncatingIfNeeded: scalar.value)) }
        if let digit = Self.nonASCIIDigitValue(scalar) {
            add(digit)
            return false
        }
        if Self.isNonASCIISeparator(scalar), addSeparator() { return false }
        return end(before: scalar.properties.isAlphabetic)
    }

    /// `feed` for an ASCII byte, the common case.
    @inline(__always)
    public mutating func feed(ascii byte: UInt8) -> Bool {
        if byte &- 0x30 < 10 {
            add(byte &- 0x30)
            return false
        }
        if byte == 0x20 || byte == 0x2D, addSeparator() { return false }
        return end(before: (byte | 0x20) &- 0x61 < 26)
    }

    @inline(__always)
    private mutating func add(_ digit: UInt8) {
        if digits.isEmpty {
            firstGroupIsWhole = !previousIsLetter
        } else if separatorRun > 0 {
            groupEnds.append(digits.count)
            separatorRun = 0
        }
        digits.append(digit)
    }

    /// Counts a separator inside a sequence; false when it cannot be one (no digits yet, or too many in a row).
    @inline(__always)
    private mutating func addSeparator() -> Bool {
        guard !digits.isEmpty, separatorRun < Self.maximumSeparatorRun else { return false }
        separatorRun += 1
        return true
    }

    /// Ends the current sequence before a character that is neither a digit nor a separator.
    @inline(__always)
    private mutating func end(before isLetter: Bool) -> Bool {
        defer { previousIsLetter = isLetter }
        if digits.isEmpty { return false }
        return endSequence(lastGroupIsWhole: !(isLetter && separatorRun == 0))
    }

    /// Ends the text; true when its last sequence contains a card number. The scanner is then ready for more text.
    public mutating func finish() -> Bool {
        let found = endSequence(lastGroupIsWhole: true)
        previousIsLetter = false
        return found
    }

    private mutating func endSequence(lastGroupIsWhole: Bool) -> Bool {
        if digits.isEmpty { return false }
        defer {
            digits.removeAll(keepingCapacity: true)
            groupEnds.removeAll(keepingCapacity: true)
            separatorRun = 0
        }
        guard digits.count >= Self.cardLengths.lowerBound else { return false }
        groupEnds.append(digits.count)
        return Self.containsCardNumber(
            digits: digits, groupEnds: groupEnds, firstGroupIsWhole: firstGroupIsWhole, lastGroupIsWhole: lastGroupIsWhole)
    }

    /// Every 13-19 digit window of each group, and every span of two or more whole groups with 13-19 digits.
    static func containsCardNumber(digits: [UInt8], groupEnds: [Int], firstGroupIsWhole: Bool, lastGroupIsWhole: Bool) -> Bool {
        var groupStart = 0
        let last = groupEnds.count - 1
        for (index, groupEnd) in groupEnds.enumerated() {
            defer { groupStart = groupEnd }
            if groupEnd - groupStart >= cardLengths.lowerBound {
                for start in groupStart...(groupEnd - cardLengths.lowerBound) {
                    for length in cardLengths where start + length <= groupEnd {
                        if CardNumberDetector.isCardNumber(digits[start..<(start + length)]) { return true }
                    }
                }
            }
            if index == 0 && !firstGroupIsWhole { continue }
            for spanLast in (index + 1)..<groupEnds.count {
                if spanLast == last && !lastGroupIsWhole { break }
                let spanEnd = groupEnds[spanLast]
                let length = spanEnd - groupStart
                if length > cardLengths.upperBound { break }
                if length >= cardLengths.lowerBound, CardNumberDetector.isCardNumber(digits[groupStart..<spanEnd]) {
                    return true
                }
            }
        }
        return false
    }

    @inline(never)
    static func nonASCIIDigitValue(_ scalar: Unicode.Scalar) -> UInt8? {
        guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue, value >= 0, value <= 9
        else { return nil }
        return UInt8(value)
    }

    /// Spaces and dashes beyond ASCII's.
    static func isNonASCIISeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xA0, 0x2007, 0x2009, 0x202F: true  // no-break, figure, thin and narrow no-break spaces
        case 0x2010...0x2015, 0x2212: true  // hyphens, dashes, minus sign
        default: false
        }
    }
}
