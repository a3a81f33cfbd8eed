import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

/// Credentials that cannot be had are an error of the command, not a plan of blocked apps.
@Suite("Missing AWS credentials stop the command with one line")
struct CredentialErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var profile: String
        var says: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "AWS_PROFILE names a missing profile", profile: "nope",
            says: ["profile nope is not in the shared config or credentials file"]),
        Case(
            name: "credential_process fails with its own message", profile: "helper",
            says: ["profile helper: credential_process exited with status 3: login expired: run `corp-login` first"]),
        Case(
            name: "an SSO profile", profile: "sso", says: ["profile sso is an IAM Identity Center (SSO) profile; SSO profiles are not supported yet"]),
    ]

    /// A repository, and an AWS config whose helper prints a secret-looking document before failing.
    func setUp(_ fixture: GitFixture, profile: String) throws -> (dir: String, environment: [String: String]) {
        let dir = try fixture.makeRepository()
        try fixture.commitRegion("us-west-1", in: dir)
        let config = fixture.path("aws-config")
        try fixture.write(
            """
            [profile helper]
            credential_process = sh -c 'echo "{\\"Version\\": 1, \\"AccessKeyId\\": \\"AKIDLEAK\\", \\"SecretAccessKey\\": \\"sekrit-value\\"}"; echo "login expired: run \\`corp-login\\` first" >&2; exit 3'

            [profile sso]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Operator
            region = us-east-1

            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = us-east-1

            """, to: config)
        let environment = [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
            "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": fixture.path("no-credentials"),
            "AWS_PROFILE": profile, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
            // Nothing is reachable: an AWS call would fail differently, and nothing can change.
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1",
        ]
        return (dir, environment)
    }

    @Test("plan, apply, status and run --once exit 1 with one line naming the profile, and print no steps", arguments: cases)
    func commandsFail(_ c: Case) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let (dir, environment) = try setUp(fixture, profile: c.profile)
        for args in [["plan"], ["plan", "--format", "json"], ["apply"], ["status"], ["run", "--once", "--listen", "127.0.0.1:0"]] {
            let result = try CLI.run(args, in: dir, environment: environment)
            #expect(result.status == 1, "\(args): \(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.isEmpty, "\(args) printed \(result.stdout)")
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1, "\(args): \(result.stderr)")
            #expect(errors.first?.hasPrefix("error: cannot get AWS credentials: ") == true, "\(args): \(result.stderr)")
            for phrase in c.says { #expect(result.stderr.contains(phrase), "\(args): \(result.stderr)") }
            #expect(!result.stderr.contains("sekrit-value") && !result.stderr.contains("AKIDLEAK"), "no secret in \(result.stderr)")
            #expect(!result.stderr.contains("promote") && !result.stderr.contains("blocked"), "\(args): \(result.stderr)")
        }
    }

    @Test("iam-policy and flip need no credentials")
    func offlineCommands() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let (dir, environment) = try setUp(fixture, profile: "nope")
        let policy = try CLI.run(["iam-policy", "--account", "111122223333"], in: dir, environment: environment)
        #expect(policy.status == 0, "\(policy.stderr)")
        let flip = try CLI.run(["flip", "unishop", "us-east-1"], in: dir, environment: environment)
        #expect(flip.status == 0, "\(flip.stderr)")
    }

    @Test("iam-policy grants a lock table named by ARN on its own name, every region; a name with a wildcard is refused")
    func lockTableNames() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let (dir, environment) = try setUp(fixture, profile: "nope")
        let byARN = try CLI.run(
            ["iam-policy", "--account", "111122223333", "--lock-table", "arn:aws:dynamodb:us-east-1:111122223333:table/locks"], in: dir,
            environment: environment)
        #expect(byARN.status == 0, "\(byARN.stderr)")
        #expect(byARN.stdout.contains("\"arn:aws:dynamodb:*:111122223333:table/locks\""), "\(byARN.stdout)")
        #expect(byARN.stdout.contains("dynamodb:BatchGetItem"))
        for bad in ["locks*", "lo", "arn:aws:dynamodb:us-east-1:111122223333:table/*", "arn:aws:s3:::locks"] {
            let refused = try CLI.run(["iam-policy", "--account", "111122223333", "--lock-table", bad], in: dir, environment: environment)
            #expect(refused.status == 64, "\(bad): \(refused.stdout)\n\(refused.stderr)")
            #expect(refused.stderr.contains("--lock-table"), "\(bad): \(refused.stderr)")
        }
    }
}
