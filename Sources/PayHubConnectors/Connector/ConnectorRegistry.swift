/// The connectors this PayHub knows, by provider name.
public struct ConnectorRegistry: Sendable {
    private var connectors: [String: any PaymentConnector] = [:]

    public init(_ connectors: [any PaymentConnector]) {
        for connector in connectors { self.connectors[connector.name] = connector }
    }

    public subscript(name: String) -> (any PaymentConnector)? { connectors[name] }
    public var names: [String] { connectors.keys.sorted() }
}
