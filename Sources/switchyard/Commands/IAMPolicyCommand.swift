import ArgumentParser
import Foundation
import Presentation

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

            A policy over IAM's 6,144 characters for one managed policy (whitespace not counted; about 17 \
            apps) is printed as several documents, {"Policies": [{"PolicyName": "switchyard-1", \
            "PolicyDocument": {...}}, ...]}, each within the limit; a note on stderr says so. Attach them all.
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
            let policy = try IAMPolicy.forApplications(state, account: account, lockTable: hosts.table, readOnly: readOnly)
            let documents = try policy.split()
            guard documents.count > 1 else { return try Terminal.printJSON(policy) }
            let set = IAMPolicySet(documents)
            let names =
                set.policies.count <= 3
                ? set.policies.map(\.name).joined(separator: ", ") : "\(set.policies[0].name) … \(set.policies[set.policies.count - 1].name)"
            Terminal.note(
                "note: the policy is \(policy.length) characters, over IAM's \(IAMPolicy.managedPolicyLimit) for one managed policy: "
                    + "printed as \(documents.count) documents (\(names)); attach them all to the role")
            if documents.count > 20 {
                Terminal.note(
                    "warning: a role holds at most 20 managed policies: \(documents.count) cannot all be attached to one role; "
                        + "give the applications' hosts more than one role (--app selects the applications of each policy)")
            } else if documents.count > 10 {
                Terminal.note("note: a role holds 10 managed policies unless its quota is raised (to at most 20): raise it for \(documents.count)")
            }
            try Terminal.printJSON(set)
        }
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
