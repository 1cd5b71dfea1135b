import Leaf
import NIOConcurrencyHelpers
import Vapor

/// Pages that Leaf lays out once per shape and PayHub fills in per request.
///
/// A page's shape is everything Leaf decides on: which values are present, every number and boolean, how many
/// items each list has, and the values named in `fixed`: those Leaf gets as they are, and the shape records the
/// text given for each (a string compared in a template, like the screen; or data that is the same whenever that
/// text is, like the locale's sentences under the locale's code). Leaf renders a shape once with a marker in place of
/// every other string; later pages of that shape are the kept text with their own strings put in the markers'
/// places, HTML-escaped exactly as Leaf escapes (`#(value)`), or as they are for `raw` values (`#unsafeHTML`).
/// The bytes are the same as Leaf's own rendering (`LeafPageShellTests` compares them). In the development
/// environment, where Leaf reads templates afresh, every page is Leaf's own rendering, so edited templates show.
enum LeafPageShells {
    /// Distinct shapes kept at most; past it the store starts again empty.
    static let limit = 512

    private static let shells = NIOLockedValueBox<[String: Shell]>([:])

    static func render(
        _ template: String, context: [String: LeafData], fixed: [String: String], raw: Set<String>, request: Request
    ) async throws -> ByteBuffer {
        guard request.application.environment != .development else {
            return try await request.leaf.render(path: template, context: context).get()
        }
        let fill = Fill(context: context, fixed: fixed, raw: raw, template: template)
        if let shell = shells.withLockedValue({ $0[fill.shape] }) {
            return shell.filled(with: fill.values, allocator: request.byteBufferAllocator)
        }
        let marked = try await request.leaf.render(path: template, context: fill.markedContext(context, fixed: fixed)).get()
        let shell = Shell(marked: marked, slots: fill.values.count)
        shells.withLockedValue { shells in
            if shells.count >= limit { shells.removeAll(keepingCapacity: true) }
            shells[fill.shape] = shell
        }
        return shell.filled(with: fill.values, allocator: request.byteBufferAllocator)
    }

    /// Empties the store (tests).
    static func reset() { shells.withLockedValue { $0.removeAll() } }

    /// A value's place in the marked page: U+E000, its number, U+E001 (private-use characters, which Leaf leaves
    /// as they are and PayHub's templates and texts never hold).
    static func marker(_ slot: Int) -> String { "\u{E000}\(slot)\u{E001}" }

    /// A page's strings in the order the shape lists them, and the shape.
    struct Fill {
        var values: [(text: String, raw: Bool)] = []
        var shape: String

        init(context: [String: LeafData], fixed: [String: String], raw: Set<String>, template: String) {
            shape = template
            for key in fixed.keys.sorted() { shape += "\u{1}\(key)=\(fixed[key]!)" }
            for key in context.keys.sorted() where fixed[key] == nil {
                shape += "\u{1}\(key)"
                describe(context[key]!, raw: raw.contains(key))
            }
        }

        private mutating func describe(_ data: LeafData, raw: Bool) {
            if data.isNil { return shape += "=nil" }
            switch data.celf {
            case .string:
                shape += "$"
                values.append((data.string ?? "", raw))
            case .dictionary:
                let dictionary = data.dictionary ?? [:]
                shape += "{"
                for key in dictionary.keys.sorted() {
                    shape += "\u{2}\(key)"
                    describe(dictionary[key]!, raw: false)
                }
                shape += "}"
            case .array:
                shape += "["
                for item in data.array ?? [] { describe(item, raw: false) }
                shape += "]"
            // Leaf decides on these (and prints them the same for every page of this shape). Read as what they
            // are: LeafData's converting accessors are slow.
            case .bool: shape += data.bool == true ? "=T" : "=F"
            case .int: shape += "=i\(data.int ?? 0)"
            case .double: shape += "=d\(data.double ?? 0)"
            case .data, .void: shape += "=\(data.celf.rawValue):\(data.string ?? "nil")"
            }
        }

        /// The context with a marker for every string, numbered as `values` are.
        func markedContext(_ context: [String: LeafData], fixed: [String: String]) -> [String: LeafData] {
            var slot = 0
            func mark(_ data: LeafData) -> LeafData {
                if data.isNil { return data }
                switch data.celf {
                case .string:
                    defer { slot += 1 }
                    return .string(LeafPageShells.marker(slot))
                case .dictionary:
                    let dictionary = data.dictionary ?? [:]
                    var marked: [String: LeafData] = [:]
                    for key in dictionary.keys.sorted() { marked[key] = mark(dictionary[key]!) }
                    return .dictionary(marked)
                case .array:
                    return .array((data.array ?? []).map(mark))
                case .bool, .int, .double, .data, .void:
                    return data
                }
            }
            var marked = context
            for key in context.keys.sorted() where fixed[key] == nil { marked[key] = mark(context[key]!) }
            return marked
        }
    }

    /// The marked page cut at its markers.
    struct Shell: Sendable {
        enum Piece: Sendable {
            case text([UInt8])
            case slot(Int)
        }

        let pieces: [Piece]
        let literalBytes: Int

        init(marked: ByteBuffer, slots: Int) {
            let bytes = Array(marked.readableBytesView)
            let open: [UInt8] = Array("\u{E000}".utf8), close: [UInt8] = Array("\u{E001}".utf8)
            var pieces: [Piece] = []
            var start = 0, index = 0, literal = 0
            while index + open.count <= bytes.count {
                guard bytes[index..<index + open.count].elementsEqual(open) else { index += 1; continue }
                var end = index + open.count, number = 0, digits = 0
                while end < bytes.count, (48...57).contains(bytes[end]) {
                    number = number * 10 + Int(bytes[end] - 48)
                    end += 1
                    digits += 1
                }
                guard digits > 0, number < slots, end + close.count <= bytes.count, bytes[end..<end + close.count].elementsEqual(close) else {
                    index += 1
                    continue
                }
                if start < index { pieces.append(.text(Array(bytes[start..<index]))) }
                literal += index - start
                pieces.append(.slot(number))
                index = end + close.count
                start = index
            }
            if start < bytes.count { pieces.append(.text(Array(bytes[start...]))) }
            literal += bytes.count - start
            self.pieces = pieces
            literalBytes = literal
        }

        func filled(with values: [(text: String, raw: Bool)], allocator: ByteBufferAllocator) -> ByteBuffer {
            var buffer = allocator.buffer(capacity: literalBytes + values.reduce(0) { $0 + $1.text.utf8.count } + 256)
            for piece in pieces {
                switch piece {
                case .text(let bytes): buffer.writeBytes(bytes)
                case .slot(let slot):
                    let value = values[slot]
                    buffer.writeString(value.raw ? value.text : HTMLEscaping.escaped(value.text))
                }
            }
            return buffer
        }
    }
}

/// Leaf's HTML escaping (`String.htmlEscaped()`), without rebuilding strings that need none.
enum HTMLEscaping {
    static func escaped(_ text: String) -> String {
        let needsEscaping = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
                || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
        }
        return needsEscaping ? text.htmlEscaped() : text
    }
}
