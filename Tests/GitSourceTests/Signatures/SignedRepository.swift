import Foundation
import GitSource
import SwitchyardTestSupport

/// A repository with a desired-state folder and keys made by ssh-keygen, removed at the end of a test.
struct SignedRepository {
    let fixture: GitFixture
    let dir: String
    let keys: String

    init() throws {
        fixture = try GitFixture()
        dir = try fixture.makeRepository()
        keys = try fixture.keysFolder()
    }

    func remove() { fixture.remove() }

    func key(_ type: SSHKeyFixture.KeyType = .ed25519, _ name: String) throws -> SSHKeyFixture {
        try SSHKeyFixture.generate(type, named: name, in: keys)
    }

    /// An allowed signers file listing `lines`, parsed.
    func allowedSigners(_ lines: [String]) throws -> AllowedSigners {
        try AllowedSigners.load(contentsOf: try fixture.writeAllowedSigners(lines))
    }

    var repository: Repository { get throws { try Repository.open(containing: dir) } }

    func head() throws -> CommitID { CommitID(hex: try fixture.git("rev-parse", "HEAD", in: dir)) }

    /// Changes the app's region and commits, signed by `key` when given.
    @discardableResult
    func commitRegion(_ region: String, signedBy key: SSHKeyFixture?, message: String? = nil) throws -> CommitID {
        let path = "\(dir)/desired-state/unishop.yaml"
        try fixture.write(fixture.app(region: region), to: path)
        try fixture.git("add", "-A", in: dir)
        if let key {
            try fixture.signedCommit(message ?? "Fail over to \(region)", key: key, in: dir)
        } else {
            try fixture.git("commit", "-q", "-m", message ?? "Fail over to \(region)", in: dir)
        }
        return try head()
    }
}
