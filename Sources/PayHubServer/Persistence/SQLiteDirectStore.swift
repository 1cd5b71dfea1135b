import Logging
import NIOCore

/// The embedded database's direct connections: one writer, which `Transactor` lends to one transaction at a
/// time, and a pool of readers.
final class SQLiteDirectStore: Sendable {
    let writer: SQLiteDirectConnection
    let readers: SQLiteReaderPool
    private let logger: Logger
    private let eventLoop: any EventLoop

    init(path: String, synchronous: PayHubConfig.SQLiteSynchronous, logger: Logger, eventLoop: any EventLoop) throws {
        writer = try SQLiteDirectConnection(path: path, options: .init(synchronous: synchronous, queryOnly: false))
        readers = SQLiteReaderPool(path: path, synchronous: synchronous)
        self.logger = logger
        self.eventLoop = eventLoop
    }

    func database(_ source: SQLiteDirectDatabase.Source) -> SQLiteDirectDatabase {
        SQLiteDirectDatabase(source: source, logger: logger, fallbackEventLoop: eventLoop)
    }

    func close() {
        writer.close()
        readers.close()
    }
}
