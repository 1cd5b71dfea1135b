extension APIError {
    /// For the services that still throw `APIError`; the domain's own is `ServiceError.secretKeyRequired`.
    static let secretKeyRequired = APIError.from(ServiceError.secretKeyRequired)
}
