import ArgumentParser

/// `payhub-bench [payments] --key sk_test_...` (the default) or `payhub-bench rules`.
@main
struct PayHubBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhub-bench", abstract: "PayHub's benchmarks.",
        subcommands: [Bench.self, RulesBench.self], defaultSubcommand: Bench.self)
}
