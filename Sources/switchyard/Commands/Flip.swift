import ArgumentParser
import DesiredState
import GitSource
import Reconciler

struct Flip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Commit a failover: set an application's activeRegion.",
        discussion: """
            Rewrites only the activeRegion value of the application's file (its quoting, line endings, \
            comments, flow style and file mode untouched, so the diff is one value; a file that is a \
            symbolic link inside the repository is changed at its target), validates the result, and \
            commits it on the current branch as git would: author and committer from --author, \
            GIT_AUTHOR_*/GIT_COMMITTER_* or git config, signed when commit.gpgsign is set (SSH, with an \
            unencrypted ed25519 user.signingkey). Push it, or open a pull request, for Switchyard to apply it.

            Refuses, committing nothing, when the region is not declared, is already active, other \
            changes are staged, or the commit should be signed and flip cannot sign it.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The application (its metadata.name).")
    var app: String

    @Argument(help: "The region to make active.")
    var region: String

    @Option(name: [.short, .long], help: "The commit message. Default: \"Fail over APP to REGION\".")
    var message: String?

    @Option(help: ArgumentHelp("The commit's author, as \"Name <email>\". Default: git config user.name and user.email.", valueName: "identity"))
    var author: String?

    func validate() throws {
        if let author, Identity(parsing: author) == nil {
            throw ValidationError("--author must look like \"Name <email>\"")
        }
    }

    func run() async throws {
        try await reportingErrors {
            try global.commitActiveRegion(app: app, region: region, message: message, author: author)
            Terminal.note("next: push this commit (or open a pull request); `switchyard plan` shows what applying it will do")
        }
    }
}

extension GlobalOptions {
    /// Commits `app`'s `activeRegion` = `region` in the local clone, as `flip` does (one value rewritten, validated,
    /// signed when git would sign), and prints the commit.
    /// - Throws: a refusal naming why nothing was committed.
    func commitActiveRegion(app: String, region: String, message: String?, author: String?) throws {
        guard case .local = source.location else {
            throw ValidationError("this commits to a local clone; pass --repo PATH (push the commit afterwards)")
        }
        let repository = try source.open().repository
        let snapshot = try repository.snapshot(ref: "HEAD", folder: path)
        let state = try snapshot.desiredState()
        guard let application = state.applications.first(where: { $0.name == app }),
            let file = snapshot.files.first(where: { $0.path == application.source.path })
        else {
            throw SelectionError(unknown: [app], known: state.applications.map(\.name))
        }
        let edited = try ActiveRegionEdit.apply(to: file.content, of: application, region: region, schema: ResourceKinds.schema)
        var after = snapshot
        after.files = snapshot.files.filter { $0.path != file.path } + [TreeFile(path: file.path, content: edited)]
        _ = try after.desiredState()
        let from = application.spec.activeRegion
        let commitMessage = message ?? "Fail over \(app) to \(region)\n\nactiveRegion: \(from) -> \(region)\n"
        let id = try repository.commitFile(
            path: file.path, content: edited, message: commitMessage,
            author: author.flatMap(Identity.init(parsing:)))
        print("committed \(id.short) on \(repository.currentBranch() ?? "HEAD"): \(app) activeRegion \(from) -> \(region)")
    }
}
