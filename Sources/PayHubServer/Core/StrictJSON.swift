import Foundation
import PayHubCore
import Vapor

/// The fields a request body may carry. Anything else is refused, so a typo never goes unnoticed.
indirect enum FieldShape: Sendable {
    case value
    case object([String: FieldShape])
    /// A list of objects, each with these fields.
    case list([String: FieldShape])
    /// Merchant metadata: up to 50 string keys (40 characters) with string values (500 characters).
    case metadata
}

/// A request DTO decoded strictly: unknown fields, wrong types and missing fields are 400s naming the parameter.
protocol StrictRequest: Decodable, Sendable {
    static var shape: [String: FieldShape] { get }
}

extension Request {
    /// The raw body, or an empty object when there is none.
    var bodyBytes: [UInt8] {
        guard let buffer = body.data else { return [] }
        return Array(buffer.readableBytesView)
    }

    func decodeStrict<T: StrictRequest>(_ type: T.Type) throws -> T {
        var bytes = bodyBytes
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            bytes = Array("{}".utf8)
        } else if let contentType = headers.contentType, contentType != .json {
            throw APIError.invalid("content_type_unsupported", "Send JSON with 'Content-Type: application/json'.")
        }
        // Only UTF-8 is read, so that the card-data guard scans the same text the decoder reads.
        guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else {
            throw APIError.invalid("body_invalid", "The request body must be UTF-8 encoded JSON.")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw APIError.invalid("body_invalid", "The request body is not valid JSON.")
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError.invalid("body_invalid", "The request body must be a JSON object.")
        }
        try StrictJSON.check(dictionary, against: T.shape, path: "")
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw StrictJSON.apiError(for: error)
        }
    }
}

enum StrictJSON {
    static func check(_ object: [String: Any], against shape: [String: FieldShape], path: String) throws {
        for (key, value) in object {
            let param = path.isEmpty ? key : "\(path).\(key)"
            guard let fieldShape = shape[key] else {
                throw APIError.invalid("parameter_unknown", "Received unknown parameter: \(param)", param: param)
            }
            if value is NSNull { continue }
            if let number = value as? NSNumber, !(value is Bool), !isWholeInt64(number) {
                throw APIError.invalid(
                    "parameter_invalid", "Invalid value for '\(param)': numbers must be integers (amounts are in minor units).",
                    param: param)
            }
            switch fieldShape {
            case .value:
                continue
            case .object(let nested):
                guard let nestedObject = value as? [String: Any] else {
                    throw APIError.invalid("parameter_invalid_type", "Invalid type for '\(param)': expected an object.", param: param)
                }
                try check(nestedObject, against: nested, path: param)
            case .list(let element):
                guard let items = value as? [Any] else {
                    throw APIError.invalid("parameter_invalid_type", "Invalid type for '\(param)': expected a list.", param: param)
                }
                for (index, item) in items.enumerated() {
                    guard let itemObject = item as? [String: Any] else {
                        throw APIError.invalid(
                            "parameter_invalid_type", "Invalid type for '\(param).\(index)': expected an object.", param: "\(param).\(index)")
                    }
                    try check(itemObject, against: element, path: "\(param).\(index)")
                }
            case .metadata:
                try checkMetadata(value, param: param)
            }
        }
    }

    /// PayHub takes no fractional numbers: money is an integer count of minor units.
    static func isWholeInt64(_ number: NSNumber) -> Bool {
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.2e18 else { return false }
        return true
    }

    static func checkMetadata(_ value: Any, param: String) throws {
        guard let metadata = value as? [String: Any] else {
            throw APIError.invalid("parameter_invalid_type", "Invalid type for '\(param)': expected an object of strings.", param: param)
        }
        guard metadata.count <= 50 else {
            throw APIError.invalid("metadata_invalid", "Metadata can have at most 50 keys.", param: param)
        }
        for (key, entry) in metadata {
            guard !key.isEmpty, key.count <= 40 else {
                throw APIError.invalid("metadata_invalid", "Metadata keys must have 1 to 40 characters.", param: "\(param).\(key)")
            }
            guard let text = entry as? String, text.count <= 500 else {
                throw APIError.invalid("metadata_invalid", "Metadata values must be strings of at most 500 characters.", param: "\(param).\(key)")
            }
        }
    }

    static func apiError(for error: DecodingError) -> APIError {
        func param(_ path: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
            (path + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let name = param(context.codingPath, appending: key)
            return .invalid("parameter_missing", "Missing required parameter: \(name)", param: name)
        case .valueNotFound(_, let context):
            let name = param(context.codingPath)
            return .invalid("parameter_missing", "Missing required parameter: \(name)", param: name)
        case .typeMismatch(let type, let context):
            let name = param(context.codingPath)
            return .invalid("parameter_invalid_type", "Invalid type for '\(name)': expected \(describe(type)).", param: name)
        case .dataCorrupted(let context):
            let name = param(context.codingPath)
            return .invalid("parameter_invalid", "Invalid value for '\(name)'.", param: name.isEmpty ? nil : name)
        @unknown default:
            return .invalid("body_invalid", "The request body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type, is Int.Type: "an integer"
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        default: "another type"
        }
    }
}
