import ArgumentParser
import SwitchyardService

@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Fail over a multi-region AWS application with a one-line Git commit.",
        discussion: """
            Each application's desired state lives in a Git repository, one file per app under \
            desired-state/. A failover is a commit that changes `activeRegion`; Switchyard reads \
            the commit through libgit2, observes AWS, and converges it in a safe order.

            Typical use:
              switchyard validate                   check every desired-state file
              switchyard flip unishop us-west-1     commit a failover (then push or open a PR)
              switchyard plan                       what applying the commit would change, and why
              switchyard apply                      converge AWS to the commit, step by step
              switchyard status                     each app's live state and verdict
              switchyard history                    who moved which app where, and when
              switchyard run --repo URL             keep AWS converged to the repository (the GitOps loop)
              switchyard iam-policy                 the least-privilege IAM policy Switchyard needs

            AWS access follows the AWS SDKs: credentials from the standard chain (environment, web \
            identity, profiles, container, instance metadata), endpoints overridable with \
            AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS for retries.

            Exit codes: 0 success, 1 error or invalid input, 2 changes pending (plan).
            """,
        version: SwitchyardVersion.current,
        subcommands: [
            Validate.self, Plan.self, Apply.self, Status.self, History.self, Report.self, Flip.self, Run.self, Suspend.self, Resume.self,
            IAMPolicyCommand.self, TrustBaseCommand.self, Adopt.self, JournalCommand.self, ReadinessCommand.self,
        ]
    )

    static func main() async {
        ProcessMemory.tuneAllocator()  // before parsing hops to another thread
        do {
            var command = try parseAsRoot(nil)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // Library errors name what to give; the command line says with which option.
            exit(withError: CommandLineError.advising(error))
        }
    }
}

enum SwitchyardVersion {
    static let current = "0.1.0"
}
