import Foundation
import FuzzSupport
import GitSource

/// A good ed25519 signature (namespace `git`) over `signedCommitMessage`, from Corpus/FuzzSSHSignature/ed25519-git.sig.
let signature = Array("""
    -----BEGIN SSH SIGNATURE-----
    U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgUrD/WgTqJhqZl3P4nK6XsnZUMZ
    lAZ71jK+BnuQMRkMIAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
    AAAAQPSqXlHf0w3W8J4VpE0a/OlTlrWwVWNep9OwKh0HrQ94lkHpTzsk9MztaMEfndWGmv
    MmGZxFLkSlR5BIkWPlIwI=
    -----END SSH SIGNATURE-----
    """.utf8)

/// Any bytes as an allowed signers file: it parses to entries or an error naming the line, never crashes.
/// Every parsed entry's key re-parses from its own `.pub` form to the same key, and judging a fixed good
/// signature against the file (namespaces, validity dates, principals) gives a verdict.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let signers: AllowedSigners
    do throws(AllowedSignersError) {
        signers = try AllowedSigners.parse(text, file: "fuzz/allowed_signers")
    } catch {
        guard error.line != nil else { fatalError("a parse error without a line: \(error)") }
        return 0
    }
    for entry in signers.entries {
        _ = entry.matches(identity: "alice@example.com")
        let words = entry.key.openSSHLine.split(separator: " ").map(String.init)
        guard (try? SSHPublicKey(type: words[0], base64: words[1])) == entry.key else {
            fatalError("\(entry.location): the key does not re-parse from \(entry.key.openSSHLine)")
        }
    }
    for time in [Date(timeIntervalSince1970: 1_700_000_000), .distantPast, .distantFuture] {
        _ = signers.verdict(armoredSignature: signature, payload: signedCommitMessage, at: time).description
    }
    return 0
}
