extension StringProtocol {
    /// The text without leading and trailing white space and newlines (`Character.isWhitespace`), as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives it without bridging to `NSString`: every field of every
    /// response goes through it.
    var trimmedWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
