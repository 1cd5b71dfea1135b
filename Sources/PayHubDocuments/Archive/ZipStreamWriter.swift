/// Writes a ZIP archive as a stream, one entry after another, without holding any entry's data: each method
/// returns the bytes to send next. Entries are stored (no compression: PDFs and XML travel as they are), with
/// general-purpose flag bit 3 (sizes and CRC-32 in a data descriptor after the data, so an entry can be streamed
/// before its size is known) and bit 11 (UTF-8 names). What it keeps is the central directory: about 50 bytes
/// plus the name per entry. No ZIP64: an archive stops at 65,535 entries and 4 GiB, and says so.
public struct ZipStreamWriter: Sendable {
    public struct Timestamp: Sendable, Equatable {
        public var year, month, day, hour, minute, second: Int
        public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
        }

        /// MS-DOS date and time; years before 1980 are written as 1980.
        var dos: (time: UInt16, date: UInt16) {
            let year = min(max(year, 1980), 2107)
            let time = UInt16(hour << 11 | minute << 5 | second / 2)
            let date = UInt16((year - 1980) << 9 | month << 5 | day)
            return (time, date)
        }
    }

    private struct Entry: Sendable {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt32
        var offset: UInt32
        var timestamp: Timestamp
    }

    private struct OpenEntry: Sendable {
        var name: [UInt8]
        var offset: UInt32
        var timestamp: Timestamp
        var crc = CRC32()
        var size: UInt64 = 0
    }

    public static let maximumEntries = 65_535
    static let maximumOffset: UInt64 = 0xFFFF_FFFF

    private var entries: [Entry] = []
    private var open: OpenEntry?
    private var written: UInt64 = 0
    private var finished = false

    public init() {}

    /// The bytes this writer keeps (the central directory to come): it grows with the entries, never with their data.
    public var retainedBytes: Int { entries.reduce(0) { $0 + 46 + $1.name.count } }

    /// Starts an entry: its local header. `name` is a relative path with `/` separators.
    public mutating func beginEntry(name: String, modified: Timestamp) throws(ZipArchiveError) -> [UInt8] {
        guard !finished, open == nil else { throw .misuse("an entry is already open or the archive is finished") }
        guard entries.count < Self.maximumEntries else { throw .tooManyEntries }
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 0xFFFF, nameBytes.first != UInt8(ascii: "/"), !nameBytes.contains(0),
              !name.split(separator: "/").contains("..")
        else { throw .invalidName(name) }
        guard written <= Self.maximumOffset else { throw .tooLarge }
        open = OpenEntry(name: nameBytes, offset: UInt32(written), timestamp: modified)
        let dos = modified.dos
        var header: [UInt8] = []
        header.reserveCapacity(30 + nameBytes.count)
        header.append(le32: 0x0403_4B50)
        header.append(le16: 20)  // version needed: 2.0
        header.append(le16: Self.flags)
        header.append(le16: 0)  // stored
        header.append(le16: dos.time)
        header.append(le16: dos.date)
        header.append(le32: 0)  // CRC-32, sizes: in the data descriptor
        header.append(le32: 0)
        header.append(le32: 0)
        header.append(le16: UInt16(nameBytes.count))
        header.append(le16: 0)  // no extra field
        header += nameBytes
        written += UInt64(header.count)
        return header
    }

    /// Some of the open entry's data: returned as it is, to send on.
    public mutating func write(_ chunk: [UInt8]) throws(ZipArchiveError) -> [UInt8] {
        guard var entry = open else { throw .misuse("no entry is open") }
        entry.crc.update(chunk)
        entry.size += UInt64(chunk.count)
        guard entry.size <= Self.maximumOffset, written + UInt64(chunk.count) <= Self.maximumOffset else { throw .tooLarge }
        open = entry
        written += UInt64(chunk.count)
        return chunk
    }

    /// Ends the open entry: its data descriptor.
    public mutating func endEntry() throws(ZipArchiveError) -> [UInt8] {
        guard let entry = open else { throw .misuse("no entry is open") }
        open = nil
        let size = UInt32(entry.size)
        entries.append(Entry(name: entry.name, crc: entry.crc.value, size: size, offset: entry.offset, timestamp: entry.timestamp))
        var descriptor: [UInt8] = []
        descriptor.append(le32: 0x0807_4B50)
        descriptor.append(le32: entry.crc.value)
        descriptor.append(le32: size)  // compressed = uncompressed: stored
        descriptor.append(le32: size)
        written += UInt64(descriptor.count)
        return descriptor
    }

    /// The central directory and its end record; the archive is complete after these bytes.
    public mutating func finish() throws(ZipArchiveError) -> [UInt8] {
        guard !finished, open == nil else { throw .misuse("an entry is open or the archive is finished") }
        finished = true
        guard written <= Self.maximumOffset else { throw .tooLarge }
        let start = UInt32(written)
        var directory: [UInt8] = []
        directory.reserveCapacity(retainedBytes + 22)
        for entry in entries {
            let dos = entry.timestamp.dos
            directory.append(le32: 0x0201_4B50)
            directory.append(le16: 0x0314)  // made by: Unix, 2.0
            directory.append(le16: 20)
            directory.append(le16: Self.flags)
            directory.append(le16: 0)
            directory.append(le16: dos.time)
            directory.append(le16: dos.date)
            directory.append(le32: entry.crc)
            directory.append(le32: entry.size)
            directory.append(le32: entry.size)
            directory.append(le16: UInt16(entry.name.count))
            directory.append(le16: 0)  // extra
            directory.append(le16: 0)  // comment
            directory.append(le16: 0)  // disk
            directory.append(le16: 0)  // internal attributes
            directory.append(le32: 0o100644 << 16)  // external: a regular file, rw-r--r--
            directory.append(le32: entry.offset)
            directory += entry.name
        }
        guard written + UInt64(directory.count) <= Self.maximumOffset else { throw .tooLarge }
        let count = UInt16(entries.count)
        let size = UInt32(directory.count)
        directory.append(le32: 0x0605_4B50)
        directory.append(le16: 0)
        directory.append(le16: 0)
        directory.append(le16: count)
        directory.append(le16: count)
        directory.append(le32: size)
        directory.append(le32: start)
        directory.append(le16: 0)
        written += UInt64(directory.count)
        return directory
    }

    /// Bit 3: data descriptor; bit 11: UTF-8 names.
    private static let flags: UInt16 = 0x0808
}

public enum ZipArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooManyEntries
    case tooLarge
    case invalidName(String)
    case misuse(String)

    public var description: String {
        switch self {
        case .tooManyEntries: "A ZIP archive without ZIP64 holds at most \(ZipStreamWriter.maximumEntries) entries."
        case .tooLarge: "A ZIP archive without ZIP64 is at most 4 GiB."
        case .invalidName(let name): "'\(name)' is not a relative path for a ZIP entry."
        case .misuse(let what): "ZIP writer misused: \(what)."
        }
    }
}

extension [UInt8] {
    mutating func append(le16 value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func append(le32 value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
