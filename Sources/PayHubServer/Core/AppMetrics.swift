import Foundation
import Metrics
import Prometheus

/// Every metric PayHub exports at `/metrics`, named in one place.
final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
    }

    func request(route: String, method: String, status: UInt, duration: Duration) {
        let labels = [("route", route), ("method", method), ("status", String(status))]
        Counter(label: "payhub_http_requests_total", dimensions: labels, factory: factory).increment()
        Metrics.Timer(label: "payhub_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func payment(provider: String, outcome: String) {
        Counter(label: "payhub_payments_total", dimensions: [("provider", provider), ("outcome", outcome)], factory: factory).increment()
    }

    func refund(provider: String, outcome: String) {
        Counter(label: "payhub_refunds_total", dimensions: [("provider", provider), ("outcome", outcome)], factory: factory).increment()
    }

    func webhookDelivery(outcome: String) {
        Counter(label: "payhub_webhook_deliveries_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// From an event's creation to the end of a try to deliver it.
    func webhookDeliveryDelay(seconds: TimeInterval, firstTry: Bool) {
        guard firstTry else { return }
        Metrics.Timer(label: "payhub_webhook_delivery_delay_seconds", factory: factory).recordNanoseconds(Int64(max(0, seconds) * 1_000_000_000))
    }

    func providerWebhook(provider: String, outcome: String) {
        Counter(label: "payhub_provider_webhooks_total", dimensions: [("provider", provider), ("outcome", outcome)], factory: factory).increment()
    }

    func job(kind: String, outcome: String) {
        Counter(label: "payhub_jobs_total", dimensions: [("kind", kind), ("outcome", outcome)], factory: factory).increment()
    }

    func queueDepth(_ queue: String, _ depth: Int) {
        Gauge(label: "payhub_queue_depth", dimensions: [("queue", queue)], factory: factory).record(depth)
    }

    func exposition() -> String { registry.emitToString() }
}
