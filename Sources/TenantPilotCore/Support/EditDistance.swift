/// Levenshtein distance, for suggesting the nearest valid value in error messages.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// "Did you mean …" for a value that names nothing known.
public enum Suggestion {
    /// The candidate nearest to `value` (case-insensitive), when it is close enough to be a
    /// plausible typo: at most a third of the value's length away, and at least 2.
    public static func nearest(to value: String, among candidates: some Sequence<String>) -> String? {
        let wanted = value.lowercased()
        guard !wanted.isEmpty, wanted.count <= 200 else { return nil }
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate.count <= 200 {
            let distance = EditDistance.between(wanted, candidate.lowercased())
            if distance < (best?.distance ?? Int.max) || (distance == best?.distance && candidate < (best?.name ?? ""))
            {
                best = (candidate, distance)
            }
        }
        guard let best, best.distance <= max(2, wanted.count / 3) else { return nil }
        return best.name
    }

    /// ` (did you mean "x"?)`, or nothing.
    public static func clause(for value: String, among candidates: some Sequence<String>) -> String {
        nearest(to: value, among: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
