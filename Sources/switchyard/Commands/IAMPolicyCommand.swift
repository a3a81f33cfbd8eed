import ArgumentParser
import Foundation
import SwitchyardCore

struct IAMPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the least-privilege IAM policy for the repository's applications.",
        discussion: """
            Only the actions Switchyard calls, on only the buckets, distributions, global clusters and \
            clusters the desired state declares (at the ref). The account id of CloudFront and \
            global-cluster ARNs comes from the Aurora cluster ARNs, or --account. With --lock-table (or \
            SWITCHYARD_LOCK_TABLE), the table's item calls too. Attach the JSON to the role `switchyard run` \
            uses; regenerate it when an app is added.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("AWS account id for CloudFront and global-cluster ARNs (default: from the Aurora cluster ARNs).", valueName: "id"))
    var account: String?

    @Flag(help: "Only the read actions `validate`, `plan` and `status` need (for a pull-request check; see deploy/github/).")
    var readOnly = false

    @OptionGroup(title: "Hosts") var hosts: CoordinationOptions

    func validate() throws {
        if let account, account.count != 12 || !account.allSatisfy(\.isASCIIDigitCharacter) {
            throw ValidationError("--account \(account): expected 12 digits")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let (_, state, _) = try global.load()
            try Terminal.printJSON(try IAMPolicy.forApplications(state, account: account, lockTable: hosts.table, readOnly: readOnly))
        }
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
