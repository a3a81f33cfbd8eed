extension StringProtocol {
    /// The text without leading and trailing white space and newlines (`Character.isWhitespace`), as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives it without bridging to `NSString`: every field of every
    /// response goes through it.
    var trimmedWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// Whether the two are equal but for the case of ASCII letters: header names, without bridging to `NSString`.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let (a, b) = (utf8, other.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) }
    }
}
