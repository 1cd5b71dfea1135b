import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A rendered document read back with Foundation's XML parser: the texts of its elements by name, so that a test
/// sees what a receiving system sees (entities resolved). Nil when the bytes are not well-formed XML.
struct ParsedXML {
    private(set) var texts: [String: [String]] = [:]
    private(set) var attributes: [String: [[String: String]]] = [:]

    init?(_ bytes: [UInt8]) {
        let delegate = Collector()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        texts = delegate.texts
        attributes = delegate.attributes
    }

    func text(_ element: String) -> String? { texts[element]?.first }

    private final class Collector: NSObject, XMLParserDelegate {
        var texts: [String: [String]] = [:]
        var attributes: [String: [[String: String]]] = [:]
        private var stack: [(name: String, text: String)] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            stack.append((name, ""))
            self.attributes[name, default: []].append(attributes)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let element = stack.removeLast()
            let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { texts[element.name, default: []].append(element.text) }
        }
    }
}
