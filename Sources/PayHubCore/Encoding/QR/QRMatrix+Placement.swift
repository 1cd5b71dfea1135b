extension QRMatrix {
    /// Places the codewords' bits, most significant first, in two-module columns that zigzag up and down from the
    /// right edge, skipping the vertical timing column and every function module (§7.7.3). Remainder bits stay light.
    mutating func place(codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var bit = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction(x: x, y: y) {
                    guard bit < bitCount else { return }
                    setData(x: x, y: y, dark: (codewords[bit >> 3] >> UInt8(7 - (bit & 7))) & 1 == 1)
                    bit += 1
                }
            }
            right -= 2
        }
    }
}
