import Basics
import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

/// Issue 13: canary secrets in every place a secret can come from, and every byte Switchyard writes or serves
/// searched for them, at every log level.
@Suite("No secret anywhere, at any log level", .serialized)
struct CanarySecretTests {
    static let canaries = [
        "secretKey": "CANARYsecretAccessKey4f1d", "sessionToken": "CANARYsessionToken8a2c", "profileSecret": "CANARYprofileSecret91be",
        "processSecret": "CANARYprocessSecret33d0", "processToken": "CANARYprocessToken7e55", "gitToken": "CANARYgitToken0c4a",
        "passphrase": "CANARYsshPassphrase5b1e", "urlToken": "CANARYurlToken2d9f", "webhookSecret": "CANARYwebhookSecret6a70",
        "queryToken": "CANARYqueryToken5c3b", "fragment": "CANARYfragment17e4",
    ]

    @Test("run --once, plan, apply, validate and the daemon's endpoints show no canary", arguments: ["trace", "debug", "info", "warning"])
    func canaries(level: String) async throws {
        let world = try await offCooperativePool { try FailoverTests.World() }
        defer { world.close() }
        let c = Self.canaries
        let dir = world.fixture.path("secrets")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let state = world.fixture.path("state"), cache = world.fixture.path("cache")
        try world.fixture.write(
            "[canary]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = \(c["profileSecret"]!)\n", to: "\(dir)/credentials")
        try world.fixture.write(
            """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "\(c["processSecret"]!)", "SessionToken": "\(c["processToken"]!)"}'
            """, to: "\(dir)/process.sh")
        chmod("\(dir)/process.sh", 0o755)
        try world.fixture.write("[profile proc]\ncredential_process = \(dir)/process.sh\n", to: "\(dir)/config")
        try world.fixture.write(c["webhookSecret"]! + "\n", to: "\(dir)/webhook-secret")

        let common = [
            "SWITCHYARD_GIT_TOKEN": c["gitToken"]!, "SWITCHYARD_SSH_KEY_PASSPHRASE": c["passphrase"]!, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "\(dir)/config", "AWS_SHARED_CREDENTIALS_FILE": "\(dir)/credentials",
        ]
        let keys = world.emulator.awsEnvironment.merging(common) { $1 }
            .merging(["AWS_SECRET_ACCESS_KEY": c["secretKey"]!, "AWS_SESSION_TOKEN": c["sessionToken"]!]) { $1 }
        let profile = keys.merging(["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "canary"]) { $1 }
        let process = profile.merging(["AWS_PROFILE": "proc"]) { $1 }
        let paths = ["--state-dir", state, "--cache-dir", cache, "--log-level", level]

        var output = ""
        let repo = world.repo
        func run(_ args: [String], _ environment: [String: String]) async throws {
            let result = try await offCooperativePool { try CLI.run(args, in: repo, environment: environment) }
            output += result.stdout + result.stderr
        }
        try await offCooperativePool { try world.flip(to: "us-west-1") }
        for environment in [keys, profile, process] {
            try await run(["validate", "--cache-dir", cache], environment)
            try await run(["plan"] + paths, environment)
        }
        try await run(["apply", "--poll-interval", "200ms"] + paths, keys)
        try await run(["run", "--once", "--listen", "127.0.0.1:0", "--webhook-secret-file", "\(dir)/webhook-secret"] + paths, keys)
        // A token in the URL's user field, as GitHub documents it: the fetch fails, and says so without it.
        try await run(["plan", "--repo", "https://\(c["urlToken"]!)@127.0.0.1:9/o/r.git", "--attempt-timeout", "2s"] + paths, keys)
        try await run(["run", "--once", "--repo", "https://x-access-token:\(c["urlToken"]!)@127.0.0.1:9/o/r.git"] + paths, keys)
        // Issue 24: a token in the query (GitLab's `private_token`, `access_token`) or the fragment, over https, http and ssh.
        let queried = [
            "https://127.0.0.1:9/o/r.git?access_token=\(c["queryToken"]!)#\(c["fragment"]!)",
            "http://127.0.0.1:9/o/r.git?ref=main&private_token=\(c["queryToken"]!)",
            "ssh://git@127.0.0.1:9/o/r.git?token=\(c["queryToken"]!)",
        ]
        for url in queried {
            try await run(["validate", "--repo", url, "--cache-dir", cache], keys)
            try await run(["plan", "--repo", url, "--attempt-timeout", "2s"] + paths, keys)
            try await run(["run", "--once", "--repo", url] + paths, keys)
        }

        // The daemon, its endpoints and a webhook with a wrong signature. Its address and passes are logged at notice and
        // info, which --log-level warning now keeps out: below info it is watched at info.
        let watched = level == "warning" ? paths.map { $0 == level ? "info" : $0 } : paths
        let service = try ServiceProcess(
            ["run", "--listen", "127.0.0.1:0", "--interval", "1s", "--webhook-secret-file", "\(dir)/webhook-secret"] + watched,
            in: world.repo, environment: process)
        defer { service.cleanUp() }
        let url = try await service.waitForListener()
        try await service.waitUntil("a finished pass") { service.log.contains("pass finished") }
        for path in ["/healthz", "/readyz", "/api/status", "/metrics"] {
            let (body, _) = try await HTTPTestClient.get(url + path)
            output += String(decoding: body, as: UTF8.self)
        }
        let hook = """
            import urllib.request, urllib.error
            req = urllib.request.Request("\(url)/hooks/github", data=b'{"ref": "refs/heads/main"}', method="POST",
                headers={"X-GitHub-Event": "push", "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64})
            try:
                print(urllib.request.urlopen(req, timeout=10).read().decode())
            except urllib.error.HTTPError as e:
                print(e.code, e.read().decode())
            """
        output += try await offCooperativePool { try Emulator.python(["-c", hook]) }
        service.signal(SIGTERM)
        _ = try await service.waitForExit()
        output += service.log

        // A daemon on a URL with a query token: its log, /readyz and /api/status say why the fetch failed, redacted.
        let remote = try ServiceProcess(
            ["run", "--listen", "127.0.0.1:0", "--interval", "1s", "--repo", queried[0]] + watched, in: world.repo, environment: keys)
        defer { remote.cleanUp() }
        let remoteURL = try await remote.waitForListener()
        try await remote.waitUntil("a failed pass") { remote.log.contains("pass finished") }
        for path in ["/readyz", "/api/status", "/"] {
            let (body, _) = try await HTTPTestClient.get(remoteURL + path)
            let text = String(decoding: body, as: UTF8.self)
            output += text
            if path != "/" { #expect(text.contains("access_token=REDACTED"), "\(path) names the URL, redacted: \(text)") }
        }
        remote.signal(SIGTERM)
        _ = try await remote.waitForExit()
        output += remote.log

        // Every file the state and cache folders hold, byte for byte, and every name in them.
        for root in [state, cache] {
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let name as String in walker {
                output += "\n" + name + "\n"
                if let data = FileManager.default.contents(atPath: "\(root)/\(name)") { output += String(decoding: data, as: UTF8.self) }
            }
        }
        #expect(output.contains("pass finished"), "the daemon ran at \(level)")
        for (name, canary) in c {
            #expect(!output.contains(canary), "the \(name) canary leaked at --log-level \(level)")
        }
    }
}
