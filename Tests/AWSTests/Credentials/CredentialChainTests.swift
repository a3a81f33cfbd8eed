@testable import AWS
import Basics
import Foundation
import Logging
import Testing

@Suite("Credential chain sources")
struct CredentialChainTests {
    @Test("environment keys and session token")
    func environment() async throws {
        let home = try TemporaryDirectory()
        let env = CredentialFixtures.isolatedEnvironment(
            home,
            [
                "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
            ])
        let chain = CredentialFixtures.chain(env)
        #expect(try await chain.credentials() == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "envsecret", sessionToken: "envtoken"))
        #expect(await chain.sourceName == "Environment")
    }

    @Test("half-set environment keys are an error, not a fall-through")
    func partialEnvironment() async throws {
        let home = try TemporaryDirectory()
        let chain = CredentialFixtures.chain(CredentialFixtures.isolatedEnvironment(home, ["AWS_ACCESS_KEY_ID": "AKIAENV"]))
        let error = await #expect(throws: AWSError.self) { _ = try await chain.credentials() }
        #expect(error?.code == AWSError.CredentialsCode.invalidConfiguration)
    }

    @Test("nothing configured: NoCredentials")
    func nothing() async throws {
        let home = try TemporaryDirectory()
        let error = await #expect(throws: AWSError.self) {
            _ = try await CredentialFixtures.chain(CredentialFixtures.isolatedEnvironment(home)).credentials()
        }
        #expect(error?.kind == .credentials)
        #expect(error?.code == AWSError.CredentialsCode.noCredentials)
    }

    @Test("static keys from ~/.aws/credentials, the default profile")
    func sharedCredentialsFile() async throws {
        let home = try TemporaryDirectory()
        try home.write(
            ".aws/credentials",
            """
            # comment
            [default]
            aws_access_key_id = AKIAFILE
            aws_secret_access_key = filesecret
            [other]
            aws_access_key_id = AKIAOTHER
            aws_secret_access_key = othersecret
            """)
        let chain = CredentialFixtures.chain(CredentialFixtures.isolatedEnvironment(home))
        #expect(try await chain.credentials().accessKeyID == "AKIAFILE")
        #expect(await chain.sourceName == "Profile")
    }

    @Test("AWS_PROFILE selects a [profile x] of AWS_CONFIG_FILE; the credentials file wins on conflicts")
    func configFileProfile() async throws {
        let home = try TemporaryDirectory()
        let config = try home.write(
            "conf",
            """
            [profile ops]
            aws_access_key_id = AKIACONFIG
            aws_secret_access_key = configsecret
            region = eu-west-1
            s3 =
              max_concurrent_requests = 10
            [ops]
            aws_access_key_id = IGNORED
            """)
        let credentials = try home.write(
            "creds",
            """
            [ops]
            aws_secret_access_key = credsecret
            """)
        let env = CredentialFixtures.isolatedEnvironment(
            home,
            [
                "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_PROFILE": "ops",
            ])
        let creds = try await CredentialFixtures.chain(env).credentials()
        #expect(creds == AWSCredentials(accessKeyID: "AKIACONFIG", secretAccessKey: "credsecret"))
    }

    @Test("a selected profile that does not exist is an error")
    func missingProfile() async throws {
        let home = try TemporaryDirectory()
        let env = CredentialFixtures.isolatedEnvironment(home, ["AWS_PROFILE": "nope"])
        let error = await #expect(throws: AWSError.self) { _ = try await CredentialFixtures.chain(env).credentials() }
        #expect(error?.code == AWSError.CredentialsCode.invalidConfiguration)
    }

    @Test("role_arn + source_profile: AssumeRole signed with the source profile's keys")
    func assumeRole() async throws {
        let server = try LoopbackServer { _ in
            .respond(CredentialFixtures.stsResponse("AssumeRole", id: "ASIAROLE", secret: "rolesecret", token: "roletoken"))
        }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        try home.write(
            ".aws/config",
            """
            [profile deploy]
            role_arn = arn:aws:iam::123456789012:role/switchyard
            source_profile = base
            role_session_name = sy-test
            external_id = ext-1
            region = eu-west-2
            """)
        try home.write(
            ".aws/credentials",
            """
            [base]
            aws_access_key_id = AKIABASE
            aws_secret_access_key = basesecret
            """)
        let env = CredentialFixtures.isolatedEnvironment(home, ["AWS_PROFILE": "deploy", "AWS_ENDPOINT_URL_STS": server.baseURL])
        let creds = try await CredentialFixtures.chain(env).credentials()
        #expect(creds.accessKeyID == "ASIAROLE")
        #expect(creds.secretAccessKey == "rolesecret")
        #expect(creds.sessionToken == "roletoken")
        #expect(creds.expiration == Timestamp.parse(CredentialFixtures.expiration))
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.header("authorization")?.contains("Credential=AKIABASE/") == true)
        #expect(request.header("authorization")?.contains("/eu-west-2/sts/aws4_request") == true)
        #expect(request.bodyText.contains("Action=AssumeRole&"))
        #expect(request.bodyText.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fswitchyard"))
        #expect(request.bodyText.contains("RoleSessionName=sy-test"))
        #expect(request.bodyText.contains("ExternalId=ext-1"))
    }

    @Test("a failed AssumeRole is a credentials error without secrets")
    func assumeRoleDenied() async throws {
        let server = try LoopbackServer { _ in
            .respond(
                .init(status: 403, body: "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>"))
        }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        try home.write(
            ".aws/config",
            """
            [default]
            role_arn = arn:aws:iam::123456789012:role/switchyard
            source_profile = default
            aws_access_key_id = AKIABASE
            aws_secret_access_key = basesecret
            """)
        let env = CredentialFixtures.isolatedEnvironment(home, ["AWS_ENDPOINT_URL_STS": server.baseURL])
        let error = await #expect(throws: AWSError.self) { _ = try await CredentialFixtures.chain(env).credentials() }
        #expect(error?.kind == .credentials)
        #expect(error?.code == "AccessDenied")
        #expect(error?.message.contains("arn:aws:iam::123456789012:role/switchyard") == true)
        #expect(error.map { "\($0)" }?.contains("basesecret") == false)
    }

    @Test("credential_process output (JSON Version 1)")
    func credentialProcess() async throws {
        let home = try TemporaryDirectory()
        let script = try home.write(
            "helper.sh",
            """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2030-01-01T00:00:00.000Z"}'
            """, executable: true)
        try home.write(
            ".aws/config",
            """
            [default]
            credential_process = \(script) --some-arg
            """)
        let creds = try await CredentialFixtures.chain(CredentialFixtures.isolatedEnvironment(home)).credentials()
        #expect(creds.accessKeyID == "AKIAPROC")
        #expect(creds.sessionToken == "proctoken")
        #expect(creds.expiration == Timestamp.parse("2030-01-01T00:00:00Z"))
    }

    @Test("a failing credential_process is an error")
    func credentialProcessFails() async throws {
        let home = try TemporaryDirectory()
        try home.write(".aws/config", "[default]\ncredential_process = exit 3\n")
        let error = await #expect(throws: AWSError.self) {
            _ = try await CredentialFixtures.chain(CredentialFixtures.isolatedEnvironment(home)).credentials()
        }
        #expect(error?.code == AWSError.CredentialsCode.fetchFailed)
    }

    @Test("web identity from the environment: unsigned AssumeRoleWithWebIdentity, before profiles")
    func webIdentity() async throws {
        let server = try LoopbackServer { _ in
            .respond(CredentialFixtures.stsResponse("AssumeRoleWithWebIdentity", id: "ASIAWEB", secret: "websecret", token: "webtoken"))
        }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        let tokenFile = try home.write("token", "eyJ.oidc.token\n")
        try home.write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n")
        let env = CredentialFixtures.isolatedEnvironment(
            home,
            [
                "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
                "AWS_ROLE_SESSION_NAME": "pod-1", "AWS_REGION": "ap-southeast-2", "AWS_ENDPOINT_URL_STS": server.baseURL,
            ])
        let chain = CredentialFixtures.chain(env)
        let creds = try await chain.credentials()
        #expect(creds.accessKeyID == "ASIAWEB")
        #expect(await chain.sourceName == "WebIdentity")
        let request = try #require(server.requests.first)
        #expect(request.header("authorization") == nil)
        #expect(request.bodyText.contains("Action=AssumeRoleWithWebIdentity&"))
        #expect(request.bodyText.contains("WebIdentityToken=eyJ.oidc.token"))
        #expect(request.bodyText.contains("RoleSessionName=pod-1"))
    }

    @Test("container credentials from a relative URI")
    func containerRelative() async throws {
        let server = try LoopbackServer { _ in .respond(CredentialFixtures.json(id: "ASIAECS", secret: "ecssecret", token: "ecstoken")) }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        let env = CredentialFixtures.isolatedEnvironment(home, ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
        let chain = CredentialFixtures.chain(env, containerBaseURL: server.baseURL)
        let creds = try await chain.credentials()
        #expect(
            creds
                == AWSCredentials(
                    accessKeyID: "ASIAECS", secretAccessKey: "ecssecret", sessionToken: "ecstoken",
                    expiration: Timestamp.parse(CredentialFixtures.expiration)))
        #expect(await chain.sourceName == "Container")
        #expect(server.requests.first?.target == "/v2/credentials/abc")
    }

    @Test("container credentials from a full URI with the authorization token file")
    func containerFull() async throws {
        let server = try LoopbackServer { _ in .respond(CredentialFixtures.json(id: "ASIAEKS", secret: "ekssecret", token: "ekstoken")) }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        let tokenFile = try home.write("eks-token", "pod-identity-token\n")
        let env = CredentialFixtures.isolatedEnvironment(
            home,
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/get-credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored",
            ])
        #expect(try await CredentialFixtures.chain(env).credentials().accessKeyID == "ASIAEKS")
        #expect(server.requests.first?.header("authorization") == "pod-identity-token")
    }

    @Test("a plain-HTTP full URI to a non-loopback host is refused")
    func containerFullURIRestricted() async throws {
        let home = try TemporaryDirectory()
        let env = CredentialFixtures.isolatedEnvironment(home, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.0.0.1/creds"])
        let error = await #expect(throws: AWSError.self) { _ = try await CredentialFixtures.chain(env).credentials() }
        #expect(error?.code == AWSError.CredentialsCode.invalidConfiguration)
    }

    @Test("EC2 IMDSv2: token, role name, role credentials")
    func imds() async throws {
        let server = try LoopbackServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return .respond(
                    .init(status: request.header("x-aws-ec2-metadata-token-ttl-seconds") == "21600" ? 200 : 400, body: "imds-session-token"))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .respond(
                    .init(status: request.header("x-aws-ec2-metadata-token") == "imds-session-token" ? 200 : 401, body: "switchyard-role\n"))
            case ("GET", "/latest/meta-data/iam/security-credentials/switchyard-role"):
                return .respond(
                    request.header("x-aws-ec2-metadata-token") == "imds-session-token"
                        ? CredentialFixtures.json(id: "ASIAEC2", secret: "ec2secret", token: "ec2token") : .init(status: 401))
            default:
                return .respond(.init(status: 404))
            }
        }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        var env = CredentialFixtures.isolatedEnvironment(home, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL + "/"])
        env["AWS_EC2_METADATA_DISABLED"] = nil
        let chain = CredentialFixtures.chain(env)
        let creds = try await chain.credentials()
        #expect(creds.accessKeyID == "ASIAEC2")
        #expect(creds.sessionToken == "ec2token")
        #expect(await chain.sourceName == "IMDS")
        #expect(server.requests.map(\.method) == ["PUT", "GET", "GET"])
    }

    @Test("AWS_EC2_METADATA_DISABLED keeps the chain away from IMDS")
    func imdsDisabled() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200, body: "x")) }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        let env = CredentialFixtures.isolatedEnvironment(home, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL])
        await #expect(throws: AWSError.self) { _ = try await CredentialFixtures.chain(env).credentials() }
        #expect(server.requests.isEmpty)
    }

    @Test("resolving through STS and metadata logs no secret, token or web identity token")
    func resolutionLogsAreClean() async throws {
        let server = try LoopbackServer { request in
            request.path.hasPrefix("/creds")
                ? .respond(CredentialFixtures.json(id: "ASIAECS", secret: "ecs-secret-value", token: "ecs-session-token"))
                : .respond(CredentialFixtures.stsResponse("AssumeRole", id: "ASIAROLE", secret: "role-secret-value", token: "role-session-token"))
        }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        try home.write(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = EcsContainer\n")
        let env = CredentialFixtures.isolatedEnvironment(
            home,
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token",
                "AWS_ENDPOINT_URL_STS": server.baseURL,
            ])
        let capture = LogCapture()
        let creds = try await CredentialFixtures.chain(env, logger: capture.logger()).credentials()
        #expect(creds.accessKeyID == "ASIAROLE")
        let logs = capture.text
        #expect(logs.contains("ASIAROLE"))
        for secret in ["ecs-secret-value", "ecs-session-token", "role-secret-value", "role-session-token", "container-auth-token"] {
            #expect(!logs.contains(secret), "\(secret) leaked into logs")
        }
    }
}
