import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

@Suite("The SSH signature parser is total on hostile input")
struct SignatureParserRobustnessTests {

    @Test("2,000 mutated armored signatures never crash the parser or the verifier")
    func mutations() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-sig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "message".write(toFile: folder + "/message", atomically: true, encoding: .utf8)
        var seeds: [[UInt8]] = []
        for type in SSHKeyFixture.KeyType.allCases {
            let key = try SSHKeyFixture.generate(type, named: type.rawValue, in: folder)
            seeds.append(Array(try key.sign(file: folder + "/message", namespace: "git").utf8))
        }
        // Mutate the decoded blob too, so mutations reach the binary parser and not only the base64 check.
        let blobs = seeds.map {
            Array(Data(base64Encoded: String(decoding: $0, as: UTF8.self).split(separator: "\n").dropFirst().dropLast().joined())!)
        }

        var random = SplitMix64(state: 0x5357_4954_4348)
        var parsed = 0
        for round in 0..<2_000 {
            let useBlob = round % 2 == 0
            var bytes = useBlob ? blobs[round % blobs.count] : seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                Self.mutate(&bytes, using: &random)
            }
            let armored = useBlob ? Self.armor(bytes) : bytes
            if let signature = try? SSHSignature.parse(armored: armored) {
                parsed += 1
                _ = try? signature.verify(message: Array("message".utf8))
            }
        }
        // Some mutations leave a parseable blob (e.g. inside the signature bytes): the verifier saw those.
        #expect(parsed > 0)
    }

    @Test("truncations of a valid blob at every length are errors, not crashes")
    func truncations() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-sig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "message".write(toFile: folder + "/message", atomically: true, encoding: .utf8)
        let key = try SSHKeyFixture.generate(.ecdsa, named: "k", in: folder)
        let armored = try key.sign(file: folder + "/message", namespace: "git")
        let blob = Array(Data(base64Encoded: armored.split(separator: "\n").dropFirst().dropLast().joined())!)
        #expect(try SSHSignature.parse(blob: blob).publicKey.fingerprint == key.fingerprint)
        for length in 0..<blob.count {
            #expect(throws: SSHSignatureError.self) { try SSHSignature.parse(blob: Array(blob.prefix(length))) }
        }
        #expect(throws: SSHSignatureError.self) { try SSHSignature.parse(blob: blob + [0]) }
    }

    @Test(
        "non-SSH armor is named",
        arguments: [
            ("-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n", "OpenPGP"),
            ("", "empty"),
            ("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n", "missing the -----END SSH SIGNATURE----- line"),
            ("-----BEGIN SSH SIGNATURE-----\n%%%%\n-----END SSH SIGNATURE-----\n", "not valid base64"),
        ])
    func armor(text: String, expected: String) {
        #expect { try SSHSignature.parse(armored: text) } throws: { "\($0)".contains(expected) }
    }

    static func armor(_ blob: [UInt8]) -> [UInt8] {
        Array(
            "-----BEGIN SSH SIGNATURE-----\n\(Data(blob).base64EncodedString(options: .lineLength64Characters))\n-----END SSH SIGNATURE-----\n".utf8)
    }

    static func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
        guard !bytes.isEmpty else { bytes = [UInt8.random(in: 0...255, using: &random)]; return }
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
        case 1: bytes[at] = UInt8.random(in: 0...255, using: &random)
        case 2: bytes.remove(at: at)
        case 3: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        case 4: bytes = Array(bytes.prefix(at))
        default:
            // Lengths are where parsers die: set four bytes to an extreme length prefix.
            let value: [UInt8] = [[0xff, 0xff, 0xff, 0xff], [0x7f, 0xff, 0xff, 0xff], [0, 0, 0, 0], [0x80, 0, 0, 0]][
                Int.random(in: 0..<4, using: &random)]
            for (i, b) in value.enumerated() where at + i < bytes.count { bytes[at + i] = b }
        }
    }
}
