import Foundation
import PayHubCore

/// Every customer-facing string, in every language PayHub speaks: one JSON file per locale in
/// `Resources/Locales`. Loading checks that each locale has exactly the keys English has, with the same
/// `{placeholders}`, so a page can never show a key or a missing value.
struct TranslationCatalog: Sendable {
    struct Invalid: Error, CustomStringConvertible {
        var locale: CustomerLocale
        var key: String?
        var problem: String
        var description: String { "translations \(locale.rawValue)\(key.map { " '\($0)'" } ?? ""): \(problem)" }
    }

    /// Every text, cut at its placeholders once, so filling one in scans nothing.
    private let filled: [CustomerLocale: [String: FillIn]]

    init(texts: [CustomerLocale: [String: String]]) throws {
        guard let english = texts[.en] else { throw Invalid(locale: .en, key: nil, problem: "missing") }
        for locale in CustomerLocale.allCases {
            guard let table = texts[locale] else { throw Invalid(locale: locale, key: nil, problem: "missing") }
            if let missing = Set(english.keys).subtracting(table.keys).sorted().first {
                throw Invalid(locale: locale, key: missing, problem: "not translated")
            }
            if let extra = Set(table.keys).subtracting(english.keys).sorted().first {
                throw Invalid(locale: locale, key: extra, problem: "not in English")
            }
            for (key, text) in table where Self.placeholders(in: text) != Self.placeholders(in: english[key]!) {
                throw Invalid(locale: locale, key: key, problem: "placeholders differ from English")
            }
        }
        filled = texts.mapValues { $0.mapValues(FillIn.init) }
    }

    /// The catalog shipped in the bundle, loaded once (`TranslationCatalogTests` proves it loads).
    static let shipped: Result<TranslationCatalog, any Error> = Result { try bundled() }

    /// The catalog shipped in the bundle.
    static func bundled() throws -> TranslationCatalog {
        let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/Locales")
        var texts: [CustomerLocale: [String: String]] = [:]
        for locale in CustomerLocale.allCases {
            let file = directory.appendingPathComponent("\(locale.rawValue).json")
            guard let data = try? Data(contentsOf: file),
                  let table = try? JSONDecoder().decode([String: String].self, from: data)
            else { throw Invalid(locale: locale, key: nil, problem: "\(file.lastPathComponent) is missing or not a JSON object of strings") }
            texts[locale] = table
        }
        return try TranslationCatalog(texts: texts)
    }

    var keys: Set<String> { Set(filled[.en].map { Array($0.keys) } ?? []) }

    /// Whether the catalog has `key` (in every locale, as loading checked).
    func contains(_ key: String) -> Bool { filled[.en]?[key] != nil }

    /// The text of `key` in `locale` with its placeholders filled in (plain text: pages escape it when rendering).
    /// An unknown key is a programming error, caught by the tests that render every page.
    func text(_ key: String, in locale: CustomerLocale, _ values: [String: String] = [:]) -> String {
        guard let text = filled[locale]?[key] else {
            assertionFailure("no translation key '\(key)'")
            return key
        }
        return text.filled(with: values)
    }

    /// A text as literal pieces and `{placeholders}`. Filling it in puts each value in its place once: a value
    /// that itself holds `{name}` is left as it is, and a placeholder without a value stays as written.
    struct FillIn: Sendable {
        enum Piece: Sendable {
            case literal(String)
            case placeholder(String)
        }

        let text: String
        let pieces: [Piece]

        init(_ text: String) {
            self.text = text
            var pieces: [Piece] = []
            var rest = text[...]
            while let match = rest.firstMatch(of: /\{([a-z_]+)\}/) {
                if match.range.lowerBound > rest.startIndex { pieces.append(.literal(String(rest[..<match.range.lowerBound]))) }
                pieces.append(.placeholder(String(match.1)))
                rest = rest[match.range.upperBound...]
            }
            if !rest.isEmpty { pieces.append(.literal(String(rest))) }
            self.pieces = pieces
        }

        func filled(with values: [String: String]) -> String {
            guard !values.isEmpty, pieces.contains(where: { if case .placeholder = $0 { true } else { false } }) else { return text }
            var result = ""
            for piece in pieces {
                switch piece {
                case .literal(let literal): result += literal
                case .placeholder(let name): result += values[name] ?? "{\(name)}"
                }
            }
            return result
        }
    }

    static func placeholders(in text: String) -> Set<String> {
        Set(text.matches(of: /\{([a-z_]+)\}/).map { String($0.1) })
    }
}
