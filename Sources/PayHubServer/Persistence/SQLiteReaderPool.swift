import NIOConcurrencyHelpers

/// Read-only connections to the embedded database, lent one statement at a time. WAL lets them read while the
/// writer writes; each is opened on first need and kept for reuse.
final class SQLiteReaderPool: Sendable {
    private let path: String
    private let options: SQLiteDirectConnection.Options
    private let idle = NIOLockedValueBox<[SQLiteDirectConnection]>([])
    private let maximumIdle: Int

    init(path: String, synchronous: PayHubConfig.SQLiteSynchronous, maximumIdle: Int = 8) {
        self.path = path
        self.options = .init(synchronous: synchronous, queryOnly: true)
        self.maximumIdle = maximumIdle
    }

    func withConnection<T>(_ body: (SQLiteDirectConnection) throws -> T) throws -> T {
        let connection = try idle.withLockedValue { $0.popLast() } ?? SQLiteDirectConnection(path: path, options: options)
        defer {
            let surplus = idle.withLockedValue { idle -> SQLiteDirectConnection? in
                guard idle.count < maximumIdle else { return connection }
                idle.append(connection)
                return nil
            }
            surplus?.close()
        }
        return try body(connection)
    }

    func close() {
        let connections = idle.withLockedValue { idle in defer { idle.removeAll() }; return idle }
        for connection in connections { connection.close() }
    }
}
