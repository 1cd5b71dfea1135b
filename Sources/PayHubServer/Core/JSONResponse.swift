import Vapor

extension Encodable {
    /// This value as an API JSON response.
    func response(_ status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        response.headers.contentType = .json
        response.body = .init(data: try APIJSON.encoder.encode(self))
        return response
    }
}
