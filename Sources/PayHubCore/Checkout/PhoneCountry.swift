/// The country of an international phone number (`+225…`), for the mobile money markets providers serve. A
/// mobile money payment needs the payer's country; a checkout asks only for the phone number.
public enum PhoneCountry {
    /// Calling codes of mobile money markets and their ISO 3166 alpha-2 codes.
    static let callingCodes: [String: String] = [
        "225": "CI", "221": "SN", "223": "ML", "226": "BF", "227": "NE", "228": "TG", "229": "BJ", "224": "GN", "237": "CM",
        "241": "GA", "242": "CG", "243": "CD", "233": "GH", "234": "NG", "254": "KE", "255": "TZ", "256": "UG", "250": "RW",
        "260": "ZM", "265": "MW", "258": "MZ", "261": "MG", "212": "MA", "216": "TN", "20": "EG", "27": "ZA",
    ]

    /// The country of `phone` (digits with a leading `+` or `00`), or nil when it is not international or not known.
    public static func of(_ phone: String) -> String? {
        var digits = Substring(phone)
        if digits.hasPrefix("+") { digits = digits.dropFirst() } else if digits.hasPrefix("00") { digits = digits.dropFirst(2) } else { return nil }
        guard digits.allSatisfy(\.isNumber) else { return nil }
        for length in [3, 2] where digits.count > length {
            if let country = callingCodes[String(digits.prefix(length))] { return country }
        }
        return nil
    }
}
