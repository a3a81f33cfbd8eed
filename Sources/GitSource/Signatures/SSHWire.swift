/// A reader of the SSH wire encoding (RFC 4251 §5): `uint32`, `string` and `mpint`.
///
/// Total on arbitrary bytes: every read checks the remaining length first and returns nil
/// instead of trapping, so signatures and keys from untrusted commits cannot crash the process.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    /// Whether every byte has been read (trailing data makes a blob malformed).
    var isAtEnd: Bool { offset == bytes.count }

    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readUInt32() -> UInt32? {
        guard let b = readBytes(4) else { return nil }
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A length-prefixed byte string.
    mutating func readString() -> [UInt8]? {
        guard let length = readUInt32() else { return nil }
        return readBytes(Int(length))
    }

    /// A length-prefixed string that must be UTF-8 text (names, namespaces, algorithms).
    mutating func readText() -> String? {
        guard let raw = readString() else { return nil }
        let text = String(decoding: raw, as: UTF8.self)
        // Decoding repairs invalid UTF-8; a round trip that differs means the bytes were not text.
        return Array(text.utf8) == raw ? text : nil
    }

    /// A non-negative multiple-precision integer, as big-endian magnitude without leading zeros.
    mutating func readPositiveMPInt() -> [UInt8]? {
        guard let raw = readString() else { return nil }
        // A set top bit would make it negative; no SSH key or signature value is.
        if let first = raw.first, first & 0x80 != 0 { return nil }
        return Array(raw.drop(while: { $0 == 0 }))
    }
}

/// The writer side, for the data a signature covers and for test fixtures.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    mutating func append(uint32 value: UInt32) {
        bytes.append(contentsOf: [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }

    mutating func append(string: some Collection<UInt8>) {
        append(uint32: UInt32(string.count))
        bytes.append(contentsOf: string)
    }

    mutating func append(text: String) { append(string: Array(text.utf8)) }
}
