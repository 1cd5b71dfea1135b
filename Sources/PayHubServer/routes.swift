import Vapor

/// The card-data guard runs on every route that reads a body, a query or a path PayHub may store: after
/// authentication on the API (an unauthenticated request is a 401, whatever it carries, and nothing of it is read),
/// before anything else on customer pages. Provider webhooks are not scanned: they are verified by the provider's
/// signature, PayHub keeps only what it parses from them (references, statuses, amounts), and refusing a genuine
/// event for an id or a description that happens to look like a card number would lose it on every retry.
func routes(_ app: Application) throws {
    try app.register(collection: SystemController())
    let pages = app.grouped(PageErrorMiddleware(), CardDataGuardMiddleware())
    try pages.register(collection: SandboxPagesController())
    try pages.register(collection: StripePagesController())
    try pages.register(collection: CheckoutPagesController())
    try pages.register(collection: DemoOutboxController())
    try pages.register(collection: PaymentLinkPagesController())
    try app.register(collection: EmbedScriptController())
    let v1 = app.grouped("v1")
    try v1.register(collection: ProviderWebhooksController())
    try v1.register(collection: SMSStatusController())
    let authenticated = v1.grouped(PrincipalMiddleware(auth: AuthService()), CardDataGuardMiddleware())
    try authenticated.register(collection: PaymentIntentsController())
    try authenticated.register(collection: RefundsController())
    try authenticated.register(collection: EventsController())
    try authenticated.register(collection: WebhookEndpointsController())
    try authenticated.register(collection: CheckoutThemeController())
    try authenticated.register(collection: CheckoutSessionsController())
    try authenticated.register(collection: CheckoutRulesController())
    try authenticated.register(collection: NotificationsController())
    try authenticated.register(collection: PaymentLinksController())
    try authenticated.register(collection: CheckoutSettingsController())
    try authenticated.register(collection: PaymentIntentMethodsController())
    try authenticated.register(collection: InvoiceSettingsController())
    try authenticated.register(collection: InvoicesController())
    try authenticated.register(collection: SubscriptionsController())
    try authenticated.register(collection: TestClocksController())
}
