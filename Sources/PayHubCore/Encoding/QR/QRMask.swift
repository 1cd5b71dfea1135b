/// The eight data mask patterns (ISO/IEC 18004 Table 10): a data module is inverted where the condition holds
/// (x is the column, y the row).
enum QRMask: Int, CaseIterable, Sendable {
    case checkerboard = 0, evenRows, everyThirdColumn, diagonals, blocks, products, productsParity, mixedParity

    func inverts(x: Int, y: Int) -> Bool {
        switch self {
        case .checkerboard: (x + y) % 2 == 0
        case .evenRows: y % 2 == 0
        case .everyThirdColumn: x % 3 == 0
        case .diagonals: (x + y) % 3 == 0
        case .blocks: (x / 3 + y / 2) % 2 == 0
        case .products: (x * y) % 2 + (x * y) % 3 == 0
        case .productsParity: ((x * y) % 2 + (x * y) % 3) % 2 == 0
        case .mixedParity: ((x + y) % 2 + (x * y) % 3) % 2 == 0
        }
    }
}

extension QRMatrix {
    /// The grid with `mask` applied to every data module; applying it twice restores the grid.
    func masked(with mask: QRMask) -> QRMatrix {
        var result = self
        for y in 0..<size {
            for x in 0..<size where !isFunction(x: x, y: y) && mask.inverts(x: x, y: y) {
                result.flip(index: y * size + x)
            }
        }
        return result
    }
}
