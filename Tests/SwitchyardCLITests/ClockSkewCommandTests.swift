import Foundation
import GitSource
import SwitchyardTestSupport
import Testing

/// A host clock off AWS's is an error of the command, as missing credentials are, not a plan of unknown apps.
@Suite("A skewed host clock stops the command with the offset")
struct ClockSkewCommandTests {
    /// An endpoint refusing every signature, its `Date` 20 minutes behind the host's (the host is ahead).
    static let server = """
        import email.utils, http.server, time
        class Refuse(http.server.BaseHTTPRequestHandler):
            def date_time_string(self, timestamp=None):
                return email.utils.formatdate(time.time() - 1200, usegmt=True)
            def refuse(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = b"" if self.command == "HEAD" else b"<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>"
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_HEAD = do_PUT = do_POST = refuse
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    @Test("plan, apply and status exit 1 saying the host clock is off AWS, and by how much")
    func skewedClock() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.server]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try runWithSignalsUnblocked(process)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let port = try #require(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).split(separator: "\n").first)
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)",
            "AWS_MAX_ATTEMPTS": "1",
        ]
        for args in [["plan"], ["apply", "--state-dir", fixture.path("state")], ["status"]] {
            let result = try CLI.run(args, in: dir, environment: environment)
            #expect(result.status == 1, "\(args): \(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("the host clock is 12"), "\(args): \(result.stderr)")
            #expect(result.stderr.contains("seconds off AWS (ahead of it; Date: "), "\(args): \(result.stderr)")
            #expect(!result.stdout.contains("blocked"), "\(args): \(result.stdout)")
        }
    }
}
