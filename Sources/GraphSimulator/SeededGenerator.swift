/// SplitMix64: a small, fast, reproducible random generator, so that one seed always yields the
/// same simulated tenant on every platform (and the same benchmark input, and a failing
/// property case can be replayed from its seed).
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one part of the simulation, independent of the order parts are made in.
    public init(seed: UInt64, _ parts: String...) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the parts
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = seed ^ hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A GUID-shaped id (`8-4-4-4-12` lowercase hex, version 4).
    mutating func guid() -> String {
        let a = next()
        let b = next()
        let hex = String(a, radix: 16).leftPadded(16) + String(b, radix: 16).leftPadded(16)
        let chars = Array(hex)
        let part1 = String(chars[0..<8])
        let part2 = String(chars[8..<12])
        let part3 = "4" + String(chars[13..<16])
        let part4 = String(chars[16..<20])
        let part5 = String(chars[20..<32])
        return "\(part1)-\(part2)-\(part3)-\(part4)-\(part5)"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
