import ArgumentParser

/// `payhub-bench [payments] --key sk_test_...` (the default), `payhub-bench rules` or `payhub-bench checkout-page --key sk_test_...`.
@main
struct PayHubBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhub-bench", abstract: "PayHub's benchmarks.",
        subcommands: [Bench.self, RulesBench.self, CheckoutPageBench.self, InvoiceRenderBench.self], defaultSubcommand: Bench.self)
}
