import Vapor

func routes(_ app: Application) throws {
    try app.register(collection: SystemController())
    try app.register(collection: SandboxPagesController())
    try app.register(collection: StripePagesController())
    let v1 = app.grouped("v1")
    try v1.register(collection: ProviderWebhooksController())
    let authenticated = v1.grouped(PrincipalMiddleware(auth: AuthService()))
    try authenticated.register(collection: PaymentIntentsController())
    try authenticated.register(collection: RefundsController())
    try authenticated.register(collection: EventsController())
    try authenticated.register(collection: WebhookEndpointsController())
}
