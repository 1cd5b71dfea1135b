/// Finds what looks like a raw card number (a PAN) in text, so PayHub can refuse it before storing or logging.
/// A PAN here is 13 to 19 digits, optionally grouped with spaces or dashes, with a card network's prefix and
/// length, passing the Luhn check.
public enum CardNumberDetector {
    public static func containsCardNumber(_ text: String) -> Bool {
        var digits: [UInt8] = []
        var pendingSeparator = false
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                digits.append(byte - 0x30)
                pendingSeparator = false
            } else if (byte == 0x20 || byte == 0x2D) && !digits.isEmpty && !pendingSeparator {
                pendingSeparator = true
            } else {
                if isCardNumber(digits) { return true }
                digits.removeAll(keepingCapacity: true)
                pendingSeparator = false
            }
        }
        return isCardNumber(digits)
    }

    /// A whole run of digits (separators removed) that is a plausible PAN.
    public static func isCardNumber(_ digits: [UInt8]) -> Bool {
        (13...19).contains(digits.count) && network(of: digits) != nil && passesLuhn(digits)
    }

    public static func passesLuhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// The card network whose prefix and length rules the digits satisfy.
    public static func network(of digits: [UInt8]) -> String? {
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
