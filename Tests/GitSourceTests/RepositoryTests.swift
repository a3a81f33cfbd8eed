import Journaling
import Reconciler
import DesiredState
import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

@Suite("Reading desired state through libgit2")
struct RepositoryTests {
    @Test("a local repository's HEAD is read from the commit, and an uncommitted edit is ignored")
    func localAndUncommitted() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.write(fixture.app(region: "us-west-1"), to: dir + "/desired-state/unishop.yaml")  // not committed

        let repo = try Repository.open(containing: dir + "/desired-state")
        let snapshot = try repo.snapshot(ref: "HEAD", folder: "desired-state")
        let state = try snapshot.desiredState()
        #expect(state.applications.map(\.spec.activeRegion) == ["us-east-1"])
        #expect(snapshot.commit.subject == "Add unishop")
        #expect(snapshot.commit.author.email == "author@example.com")
        #expect(snapshot.commit.id.hex == (try fixture.git("rev-parse", "HEAD", in: dir)))
    }

    @Test("branches, tags and commit ids resolve; a missing ref is a clear error")
    func refs() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let first = try fixture.git("rev-parse", "HEAD", in: dir)
        try fixture.git("tag", "v1", in: dir)
        try fixture.commitRegion("us-west-1", in: dir)
        let repo = try Repository.open(containing: dir)
        #expect(try repo.resolve("v1").hex == first)
        #expect(try repo.resolve(String(first.prefix(10))).hex == first)
        #expect(try repo.resolve("main").hex == (try fixture.git("rev-parse", "main", in: dir)))
        #expect(try repo.resolve("HEAD~1").hex == first)
        #expect {
            try repo.resolve("no-such-branch")
        } throws: { error in
            let e = error as? GitError
            return e?.code == .notFound && "\(e!)".contains("resolving ref 'no-such-branch'") && "\(e!)".contains("branches: main")
        }
    }

    @Test("a missing desired-state folder is a clear error")
    func missingFolder() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let repo = try Repository.open(containing: dir)
        #expect(throws: GitError.self) { try repo.snapshot(ref: "HEAD", folder: "nope") }
    }

    @Test("a folder that is not a repository says so")
    func notARepository() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        #expect {
            try Repository.open(containing: fixture.root.path)
        } throws: { ($0 as? GitError)?.code == .notARepository }
    }
}

@Suite("History of activeRegion")
struct HistoryTests {
    @Test("each change is listed with its commit, author and from -> to, newest first")
    func linear() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.commitRegion("us-west-1", in: dir, message: "Fail over unishop")
        try fixture.write("# unrelated\n", to: dir + "/README.md")
        try fixture.git("add", "README.md", in: dir)
        try fixture.git("commit", "-q", "-m", "Docs", in: dir)
        try fixture.commitRegion("us-east-1", in: dir, message: "Fail back unishop")

        let repo = try Repository.open(containing: dir)
        let changes = try repo.regionChanges(in: "desired-state", from: try repo.resolve("HEAD"))
        #expect(changes.map(\.commit.subject) == ["Fail back unishop", "Fail over unishop", "Add unishop"])
        #expect(changes.map(\.from) == ["us-west-1", "us-east-1", nil])
        #expect(changes.map(\.to) == ["us-east-1", "us-west-1", "us-east-1"])
        #expect(changes.allSatisfy { $0.app == "unishop" && $0.path == "desired-state/unishop.yaml" })
        #expect(changes[0].commit.author.name == "Test Author")
    }

    @Test("a merged pull request is listed through its commit, not the merge")
    func merges() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.git("checkout", "-q", "-b", "failover", in: dir)
        try fixture.commitRegion("us-west-1", in: dir, message: "Fail over unishop")
        try fixture.git("checkout", "-q", "main", in: dir)
        try fixture.write("x\n", to: dir + "/other.txt")
        try fixture.git("add", "other.txt", in: dir)
        try fixture.git("commit", "-q", "-m", "Unrelated work", in: dir)
        try fixture.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1", "failover", in: dir)

        let repo = try Repository.open(containing: dir)
        let changes = try repo.regionChanges(in: "desired-state", from: try repo.resolve("HEAD"))
        #expect(changes.map(\.commit.subject) == ["Fail over unishop", "Add unishop"])
        #expect(try repo.commit(try repo.resolve("HEAD")).parents.count == 2)
    }

    @Test("edits that keep activeRegion are not listed; several files each have their own timeline")
    func severalFiles() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.write(fixture.app(name: "shop-two", region: "us-west-1"), to: dir + "/desired-state/shop-two.yaml")
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "Add shop-two", in: dir)
        let path = dir + "/desired-state/unishop.yaml"
        try fixture.write((try String(contentsOfFile: path, encoding: .utf8)) + "# a comment\n", to: path)
        try fixture.git("commit", "-q", "-am", "Comment only", in: dir)
        try fixture.commitRegion("us-east-1", in: dir, message: "Fail back shop-two", file: "shop-two")

        let repo = try Repository.open(containing: dir)
        let changes = try repo.regionChanges(in: "desired-state", from: try repo.resolve("HEAD"))
        #expect(changes.map(\.commit.subject) == ["Fail back shop-two", "Add shop-two", "Add unishop"])
        #expect(changes.map(\.app) == ["shop-two", "shop-two", "unishop"])
    }
}

@Suite("Remote repositories")
struct RemoteTests {
    @Test("a bare remote over file:// is cloned, then fetched only when it moved, including a force-push")
    func cloneFetchForcePush() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let work = try fixture.makeRepository()
        let bare = fixture.path("remote.git")
        try fixture.git("clone", "-q", "--bare", work, bare, in: fixture.root.path)
        try fixture.git("remote", "add", "origin", bare, in: work)
        let source = GitSource(location: .init(parsing: "file://\(bare)"), cacheRoot: fixture.path("cache"), credentials: GitCredentials())

        var opened = try source.open()
        #expect(opened.defaultRef == "refs/heads/main", "the default branch is followed as a branch, never a tag of that name")
        #expect(opened.fetched)
        #expect(
            try opened.repository.snapshot(ref: opened.defaultRef, folder: "desired-state").desiredState()
                .applications.first?.spec.activeRegion == "us-east-1")

        opened = try source.open()
        #expect(!opened.fetched, "an unchanged remote is not fetched")

        try fixture.commitRegion("us-west-1", in: work)
        try fixture.git("push", "-q", "origin", "main", in: work)
        opened = try source.open()
        #expect(opened.fetched)
        let head = try opened.repository.resolve("main")
        #expect(head.hex == (try fixture.git("rev-parse", "HEAD", in: work)))
        #expect(
            try opened.repository.snapshot(ref: "main", folder: "desired-state").desiredState()
                .applications.first?.spec.activeRegion == "us-west-1")

        try fixture.git("reset", "-q", "--hard", "HEAD~1", in: work)
        try fixture.commitRegion("us-west-1", in: work, message: "Rewritten history")
        try fixture.git("push", "-q", "--force", "origin", "main", in: work)
        opened = try source.open()
        #expect(opened.fetched)
        #expect(try opened.repository.commit(try opened.repository.resolve("main")).subject == "Rewritten history")
    }

    @Test("a remote that does not exist is a clear error")
    func unreachable() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let source = GitSource(
            location: .init(parsing: "file://\(fixture.path("missing.git"))"), cacheRoot: fixture.path("cache"), credentials: GitCredentials())
        #expect(throws: GitError.self) { try source.open() }
    }

    @Test(
        "URLs and scp-like addresses are remote; paths are local",
        arguments: [
            ("https://github.com/o/r.git", true), ("ssh://git@host/r.git", true), ("git@github.com:o/r.git", true),
            ("file:///tmp/r.git", true), ("/tmp/repo", false), (".", false), ("../repo", false),
        ])
    func locations(_ text: String, _ remote: Bool) {
        if case .remote = GitSource.Location(parsing: text) { #expect(remote) } else { #expect(!remote) }
    }
}

@Suite("Committing a flip")
struct CommitWriterTests {
    @Test("the commit changes exactly one file and leaves a clean work tree")
    func commits() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let repo = try Repository.open(containing: dir)
        let text = fixture.app(region: "us-west-1")
        let id = try repo.commitFile(
            path: "desired-state/unishop.yaml", content: text, message: "Flip",
            author: Identity(name: "Op", email: "op@example.com"))
        #expect(try fixture.git("rev-parse", "HEAD", in: dir) == id.hex)
        #expect(try fixture.git("status", "--porcelain", in: dir) == "")
        #expect(try fixture.git("log", "-1", "--format=%an <%ae>|%s", in: dir) == "Op <op@example.com>|Flip")
        #expect(try fixture.git("diff", "--numstat", "HEAD~1", "HEAD", in: dir) == "1\t1\tdesired-state/unishop.yaml")
    }

    @Test("staged changes are refused and left as they were")
    func refusesStaged() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try fixture.write("x\n", to: dir + "/other.txt")
        try fixture.git("add", "other.txt", in: dir)
        let head = try fixture.git("rev-parse", "HEAD", in: dir)
        let repo = try Repository.open(containing: dir)
        #expect {
            try repo.commitFile(path: "desired-state/unishop.yaml", content: fixture.app(region: "us-west-1"), message: "Flip", author: nil)
        } throws: { "\($0)".contains("other changes are staged (other.txt)") }
        #expect(try fixture.git("rev-parse", "HEAD", in: dir) == head)
        #expect(try fixture.git("status", "--porcelain", in: dir) == "A  other.txt")
    }
}
