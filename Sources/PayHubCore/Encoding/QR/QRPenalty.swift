/// The penalty of a masked symbol (ISO/IEC 18004 §7.8.3.1, Table 11); the mask with the lowest score is used.
/// N1: each run of 5 + i same-coloured modules in a row or column scores 3 + i.
/// N2: each 2×2 block of one colour scores 3.
/// N3: each dark-light-dark-dark-dark-light-dark (1:1:3:1:1) with four light modules before or after it in a row or
///     column scores 40; outside the symbol counts as light.
/// N4: 10 per full 5% the dark proportion is away from 50%.
enum QRPenalty {
    static func score(_ matrix: QRMatrix) -> Int {
        let size = matrix.size
        var total = 0
        var darkCount = 0
        var row = [Bool](repeating: false, count: size)
        var column = [Bool](repeating: false, count: size)
        for line in 0..<size {
            for position in 0..<size {
                row[position] = matrix[position, line]
                column[position] = matrix[line, position]
                if row[position] { darkCount += 1 }
            }
            total += runs(row) + runs(column) + finderLikes(row) + finderLikes(column)
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let color = matrix[x, y]
                if matrix[x + 1, y] == color && matrix[x, y + 1] == color && matrix[x + 1, y + 1] == color { total += 3 }
            }
        }
        let cells = size * size
        total += 10 * (abs(darkCount * 20 - cells * 10) / cells)
        return total
    }

    private static func runs(_ line: [Bool]) -> Int {
        var score = 0
        var length = 0
        for index in line.indices {
            length = index > 0 && line[index] == line[index - 1] ? length + 1 : 1
            let runEnds = index == line.count - 1 || line[index + 1] != line[index]
            if runEnds && length >= 5 { score += length - 2 }
        }
        return score
    }

    private static let finderLike: [Bool] = [true, false, true, true, true, false, true]

    private static func finderLikes(_ line: [Bool]) -> Int {
        guard line.count >= 7 else { return 0 }
        var score = 0
        for start in 0...(line.count - 7) where line[start..<start + 7].elementsEqual(finderLike) {
            if isLight(line, from: start - 4, to: start) || isLight(line, from: start + 7, to: start + 11) { score += 40 }
        }
        return score
    }

    /// Whether positions from..<to are all light, the quiet zone outside the symbol being light.
    private static func isLight(_ line: [Bool], from: Int, to: Int) -> Bool {
        for index in max(from, 0)..<min(to, line.count) where line[index] { return false }
        return true
    }
}
