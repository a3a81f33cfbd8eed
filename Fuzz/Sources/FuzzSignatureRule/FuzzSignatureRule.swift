import FuzzSupport
import GitSource

/// Any bytes as a history: a range of signed commits (signer, and each file's content) and the last applied and
/// candidate contents. The two-person rule must never count a signer for a file whose content they did not sign as
/// applied, never count one key twice, and so never reach N with fewer than N keys that signed each touched file
/// as it is applied: checked against a direct count from the same votes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = fuzzBytes(data, size)[...]
    func next(_ limit: UInt8) -> UInt8? {
        guard let byte = bytes.popFirst() else { return nil }
        return byte % limit
    }
    let files = ["a.yaml", "b.yaml", "c.yaml"]
    func contents() -> [String: String] {
        var result: [String: String] = [:]
        for file in files {
            if let value = next(4), value > 0 { result[file] = "blob\(value)" }
        }
        return result
    }
    let before = contents(), target = contents()
    var votes: [SignatureRule.Vote] = []
    while let signer = next(5) {
        votes.append(SignatureRule.Vote(signer: "key\(signer)", files: contents()))
    }
    let tally = SignatureRule.tally(votes: votes, target: target, before: before)
    for file in files {
        let touched = target[file] != before[file]
        guard tally.touched.contains(file) == touched else { fatalError("\(file): touched is \(!touched), should be \(touched)") }
        guard touched else { continue }
        let counted = tally.signers[file] ?? []
        let expected = Set(votes.filter { $0.files[file] == target[file] }.map(\.signer))
        guard Set(counted) == expected, counted.count == expected.count else {
            fatalError("\(file): counted \(counted), but the keys that signed it as applied are \(expected.sorted())")
        }
        for required in 1...4 where !tally.short(of: required).contains(file) {
            guard expected.count >= required else { fatalError("\(file): \(required) of N reached with \(expected.count) keys") }
        }
    }
    return 0
}
