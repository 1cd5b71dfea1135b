import Fluent

/// Every migration, in order. New ones go at the end and are never edited once released.
enum PayHubMigrations {
    static let all: [any Migration] = [
        M001_CreateMerchants(),
        M002_CreateProviderAccounts(),
        M003_CreatePayments(),
        M004_CreateRefunds(),
        M005_CreateEventsAndWebhooks(),
        M006_CreateIdempotencyKeys(),
        M007_AddIdempotencyKeysToObjects(),
        M008_AddIdempotencyKeyToAttempts(),
        M009_CreateRateLimitBuckets(),
        M010_CreateJobs(),
        M011_AddStatusCheckScheduleAndLateSuccess(),
        M012_DropDeliveryDueIndex(),
        M030_ScopeIdempotencyKeysByCredential(),
        M031_ForgetStoredResponsesCarryingSecrets(),
        M020_CreateAuthenticationDecisions(),
        M060_KeepLatestTryOnDelivery(),
        M061_CreateCheckoutThemes(),
        M080_CreateCheckoutSessions(),
        M070_CreateCheckoutRules(),
        M110_AddThemeToCheckoutSessions(),
        M090_CreateNotifications(),
        M120_CreatePaymentLinks(),
        M100_CreateCheckoutSettings(),
        M125_AddDeliveryReportsToNotifications(),
        M130_CreateInvoiceSettings(),
        M131_CreateInvoices(),
        M132_AddInvoiceToNotifications(),
        M140_CreateSubscriptions(),
        M141_AddSubscriptionToCheckoutSessions(),
        M150_AddProviderSubscriptions(),
        M170_DeliverWebhooksPerEndpoint(),
        M160_CreateCheckoutConfigurationVersions(),
    ]
}
