/// A VAT rate with its EN 16931 category (UNCL 5305 code): what every invoice line carries.
public struct VATRate: Hashable, Sendable, Codable {
    public enum Category: String, CaseIterable, Sendable, Codable {
        case standard = "S"
        case zeroRated = "Z"
        case exempt = "E"
        case reverseCharge = "AE"
        case outOfScope = "O"
    }

    /// Basis points: 2200 is 22 %, 550 is 5.5 %.
    public var basisPoints: Int64
    public var category: Category
    /// Why no VAT is charged: required for `exempt` and `reverseCharge`, e.g. "Article 132(1)(i) Directive 2006/112/EC".
    public var exemptionReason: String?

    public init(basisPoints: Int64, category: Category = .standard, exemptionReason: String? = nil) throws(VATRateInvalid) {
        guard (0...Self.maximumBasisPoints).contains(basisPoints) else { throw .outOfRange(basisPoints) }
        switch category {
        case .standard: guard basisPoints > 0 else { throw .standardRateIsZero }
        case .zeroRated, .exempt, .reverseCharge, .outOfScope: guard basisPoints == 0 else { throw .rateNotZero(category) }
        }
        if category == .exempt || category == .reverseCharge {
            guard let reason = exemptionReason, reason.contains(where: { !$0.isWhitespace }) else { throw .exemptionReasonMissing(category) }
        }
        self.basisPoints = basisPoints
        self.category = category
        self.exemptionReason = exemptionReason
    }

    public static let maximumBasisPoints: Int64 = 10_000

    /// The rate as a percentage with two decimals, e.g. `22.00`, `5.50`.
    public var percentString: String { Money.decimalString(basisPoints, exponent: 2) }
}

public enum VATRateInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    case outOfRange(Int64)
    case standardRateIsZero
    case rateNotZero(VATRate.Category)
    case exemptionReasonMissing(VATRate.Category)

    public var description: String {
        switch self {
        case .outOfRange(let value): "A VAT rate is 0 to 10000 basis points (100 %); got \(value)."
        case .standardRateIsZero: "The standard VAT category needs a rate above 0."
        case .rateNotZero(let category): "VAT category '\(category.rawValue)' has a rate of 0."
        case .exemptionReasonMissing(let category): "VAT category '\(category.rawValue)' needs an exemption reason."
        }
    }
}
