import Foundation

/// A notification template's text, parsed: literal text, `{{variable}}`, and sections `{{#variable}}...{{/variable}}`
/// (shown when the variable has a value) and `{{^variable}}...{{/variable}}` (shown when it has none), which may
/// nest. Any other `{{` is malformed. Rendering fills variables in, HTML-escaped for an HTML body; a variable
/// without a value renders as nothing.
public struct TemplateText: Sendable, Equatable {
    public indirect enum Part: Sendable, Equatable {
        case literal(String)
        case variable(String)
        case section(String, inverted: Bool, [Part])
    }

    public let parts: [Part]

    /// Every variable the text names, in sections too.
    public var variables: Set<String> {
        func names(_ parts: [Part]) -> Set<String> {
            parts.reduce(into: Set<String>()) { found, part in
                switch part {
                case .literal: break
                case .variable(let name): found.insert(name)
                case .section(let name, _, let inner): found.insert(name); found.formUnion(names(inner))
                }
            }
        }
        return names(parts)
    }

    public init(parsing source: String) throws(TemplateSyntaxError) {
        var stack: [(name: String, inverted: Bool, parts: [Part])] = [("", false, [])]
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { stack[stack.count - 1].parts.append(.literal(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateSyntaxError("'{{' is never closed by '}}'")
            }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingSpaces
            rest = rest[close.upperBound...]
            switch tag.first {
            case "#", "^":
                let name = try Self.name(tag.dropFirst().trimmingSpaces)
                stack.append((name, tag.first == "^", []))
            case "/":
                let name = try Self.name(tag.dropFirst().trimmingSpaces)
                guard stack.count > 1, let section = stack.last, section.name == name else {
                    throw TemplateSyntaxError("'{{/\(name)}}' closes no open section")
                }
                stack.removeLast()
                stack[stack.count - 1].parts.append(.section(name, inverted: section.inverted, section.parts))
            default:
                stack[stack.count - 1].parts.append(.variable(try Self.name(tag)))
            }
        }
        if !rest.isEmpty { stack[stack.count - 1].parts.append(.literal(String(rest))) }
        guard stack.count == 1 else { throw TemplateSyntaxError("the section '{{#\(stack[stack.count - 1].name)}}' is never closed") }
        parts = stack[0].parts
    }

    /// The text with `values` filled in; with `escapingHTML`, every value is HTML-escaped (the template's own
    /// markup is kept as written).
    public func render(_ values: [String: String], escapingHTML: Bool) -> String {
        func render(_ parts: [Part], into output: inout String) {
            for part in parts {
                switch part {
                case .literal(let text): output += text
                case .variable(let name):
                    let value = values[name] ?? ""
                    output += escapingHTML ? HTMLEscaping.escape(value) : value
                case .section(let name, let inverted, let inner):
                    let present = !(values[name] ?? "").isEmpty
                    if present != inverted { render(inner, into: &output) }
                }
            }
        }
        var output = ""
        render(parts, into: &output)
        return output
    }

    private static func name(_ text: Substring) throws(TemplateSyntaxError) -> String {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || first == "_",
              text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }),
              text.count <= 64
        else { throw TemplateSyntaxError("'{{\(text.prefix(40))}}' is not a variable (lowercase letters, digits and _)") }
        return String(text)
    }
}

/// Why a template's text cannot be read.
public struct TemplateSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problem: String
    init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
