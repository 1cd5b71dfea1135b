import PayHubConnectors
import PayHubCore
import Vapor

/// Turns every error into the API's JSON error shape. Unknown errors become a 500 that says nothing internal.
struct APIErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return APIErrorMiddleware.response(for: error, request: request)
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let apiError = classify(error, request: request)
        let response = Response(status: apiError.status, headers: apiError.headers)
        do {
            response.body = .init(data: try APIJSON.encoder.encode(APIErrorBody(apiError)))
        } catch {
            response.body = .init(string: #"{"error":{"type":"api_error","code":"internal_error","message":"Internal error.","param":null}}"#)
        }
        return response
    }

    static func classify(_ error: any Error, request: Request) -> APIError {
        switch error {
        case let apiError as APIError:
            return apiError
        case let serviceError as ServiceError:
            return .from(serviceError)
        case let moneyError as MoneyError:
            return .from(moneyError, param: "amount")
        case let violation as PaymentRuleViolation:
            return .from(violation)
        case let connectorError as ConnectorError:
            return .from(connectorError)
        case let abort as any AbortError:
            switch abort.status {
            case .notFound where request.route == nil:
                let allowed = AllowedMethods.of(path: request.url.path, in: request.application.routes)
                if !allowed.isEmpty {
                    var error = APIError(
                        status: .methodNotAllowed, kind: .invalidRequest, code: "method_not_allowed",
                        message: "\(request.method) is not allowed on \(request.url.path); use \(allowed.joined(separator: ", ")).")
                    error.allow = allowed
                    return error
                }
                return APIError(
                    status: .notFound, kind: .invalidRequest, code: "url_not_found",
                    message: "Unrecognized request URL (\(request.method) \(request.url.path)).")
            case .payloadTooLarge:
                return APIError(
                    status: .payloadTooLarge, kind: .invalidRequest, code: "body_too_large",
                    message: "The request body is larger than the API accepts.")
            case .unsupportedMediaType:
                return .invalid("content_type_unsupported", "Send JSON with 'Content-Type: application/json'.")
            case .methodNotAllowed:
                return APIError(status: .methodNotAllowed, kind: .invalidRequest, code: "method_not_allowed", message: "Method not allowed.")
            default:
                if abort.status.code < 500 {
                    return APIError(status: abort.status, kind: .invalidRequest, code: "invalid_request", message: abort.reason)
                }
            }
        case is DecodingError:
            return .invalid("body_invalid", "The request body is not valid JSON.")
        default:
            break
        }
        request.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.url.path)"])
        return APIError(
            status: .internalServerError, kind: .api, code: "internal_error",
            message: "Something went wrong on PayHub's side. The request id is \(request.id).")
    }
}

/// The one JSON coder configuration of the API.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// The methods the registered routes accept for a concrete path, for `405 Method Not Allowed` and `Allow`.
enum AllowedMethods {
    static func of(path: String, in routes: Routes) -> [String] {
        let components = path.split(separator: "/").map(String.init)
        let methods = routes.all.filter { route in
            matches(route.path, components)
        }.map(\.method.rawValue)
        return Array(Set(methods)).sorted()
    }

    private static func matches(_ pattern: [PathComponent], _ components: [String]) -> Bool {
        if pattern.last == .catchall { return components.count >= pattern.count - 1 }
        guard pattern.count == components.count else { return false }
        for (part, component) in zip(pattern, components) {
            switch part {
            case .constant(let value): if value != component { return false }
            case .parameter, .anything: continue
            case .catchall: return true
            }
        }
        return true
    }
}
