/// Lowercase hexadecimal digits of `bytes`: SigV4's `HexEncode`, also used for content hashes and webhook MACs.
/// (Not `String(format: "%02x")`, which goes through Foundation's locale-aware formatting.)
public func hexEncoded<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}
