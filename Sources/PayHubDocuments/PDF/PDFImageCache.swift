import Foundation
import PayHubCore

/// The logos of recent documents as image XObjects. A merchant's invoices all carry the same logo: it is read
/// (and a PNG with an alpha channel inflated and split) once, not per document. Bounded in entries and bytes;
/// a logo is found by its bytes, so a changed logo is read afresh. Refused logos are not kept.
final class PDFImageCache: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`; the most recently used last.
    private var entries: [(logo: InvoiceLogo, image: PDFImage, size: Int)] = []
    private let maximumEntries: Int
    private let maximumBytes: Int

    init(maximumEntries: Int = 8, maximumBytes: Int = 8 << 20) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    func image(_ logo: InvoiceLogo) throws(PDFImageInvalid) -> PDFImage {
        let found: PDFImage? = lock.withLock {
            guard let index = entries.lastIndex(where: { $0.logo == logo }) else { return nil }
            let entry = entries.remove(at: index)
            entries.append(entry)
            return entry.image
        }
        if let found { return found }
        let image = try PDFImage(logo)
        let size = logo.bytes.count + image.data.count + (image.mask?.data.count ?? 0)
        guard size <= maximumBytes else { return image }
        lock.withLock {
            guard !entries.contains(where: { $0.logo == logo }) else { return }
            entries.append((logo, image, size))
            var total = entries.reduce(0) { $0 + $1.size }
            while entries.count > maximumEntries || total > maximumBytes {
                total -= entries.removeFirst().size
            }
        }
        return image
    }

    var count: Int { lock.withLock { entries.count } }

    func contains(_ logo: InvoiceLogo) -> Bool { lock.withLock { entries.contains { $0.logo == logo } } }
}
