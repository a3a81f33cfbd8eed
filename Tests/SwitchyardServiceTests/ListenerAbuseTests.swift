import Reconciler
import Foundation
import GitSource
import Journaling
import SwitchyardService
import SwitchyardTestSupport
import Testing

/// Issue 14: `switchyard run` under cheap hostile traffic, and start-up errors that stop it. The traffic comes from a
/// Python client on loopback; the daemon's memory is read from /proc.
@Suite("The daemon under abuse", .serialized)
struct ListenerAbuseTests {
    /// Peak resident memory of a process (VmHWM), in MB.
    static func peakMB(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// Sends `count` concurrent POSTs of `megabytes` each to /hooks/github; prints each answer's status (or the error).
    static let flood = """
        import socket, sys, threading
        host, port, count, mb, signed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "signed"
        results = []
        def one():
            s = socket.create_connection((host, port), timeout=30)
            size = mb << 20
            head = f"POST /hooks/github HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nX-GitHub-Event: push\\r\\nContent-Length: {size}\\r\\n"
            if signed: head += "X-Hub-Signature-256: sha256=" + "0" * 64 + "\\r\\n"
            try:
                s.sendall((head + "\\r\\n").encode())
                chunk = b"x" * (1 << 16)
                for _ in range(size // len(chunk)): s.sendall(chunk)
            except OSError:
                pass
            try:
                results.append(s.recv(64).split(b" ")[1].decode())
            except Exception as e:
                results.append("closed")
            s.close()
        threads = [threading.Thread(target=one) for _ in range(count)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print(" ".join(results))
        """

    @Test("20 concurrent unsigned 24 MB webhook POSTs are refused from their headers; 20 badly signed ones stay within the byte budget")
    func bodiesBounded() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, url) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())
        let port = url.split(separator: ":").last.map(String.init)!
        let unsigned = try await offCooperativePool { try Emulator.python(["-c", Self.flood, "127.0.0.1", port, "20", "24", "unsigned"]) }
        #expect(unsigned.split(whereSeparator: \.isWhitespace).allSatisfy { $0 == "401" || $0 == "closed" }, "\(unsigned)")
        let afterUnsigned = Self.peakMB(service.pid)
        #expect(afterUnsigned < 150, "peak \(afterUnsigned) MB after 480 MB of unsigned bodies")
        let signed = try await offCooperativePool { try Emulator.python(["-c", Self.flood, "127.0.0.1", port, "20", "24", "signed"]) }
        #expect(signed.split(whereSeparator: \.isWhitespace).allSatisfy { ["401", "503", "closed"].contains(String($0)) }, "\(signed)")
        let peak = Self.peakMB(service.pid)
        #expect(peak < 256, "peak \(peak) MB stays under the unit's MemoryMax=256M")
        let (_, code) = try await HTTPTestClient.get("\(url)/healthz")
        #expect(code == 200, "still answering")
        #expect(try harness.journal().passes().allSatisfy { !$0.trigger.hasPrefix("webhook") }, "no refused delivery started a pass")
    }

    @Test("idle connections, and ones that send half a request, are closed within the timeouts; /healthz answers throughout")
    func idleConnectionsClosed() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (_, url) = try await harness.start(["--idle-timeout", "2s", "--header-timeout", "2s"])
        let port = url.split(separator: ":").last.map(String.init)!
        let script = """
            import socket, sys, time, urllib.request
            port = int(sys.argv[1])
            socks = []
            for i in range(60):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                if i % 2: s.sendall(b"POST /hooks/github HTTP/1.1\\r\\nHost: x\\r\\n")
                socks.append(s)
            start = time.time()
            healthz = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status
            time.sleep(6)
            closed = 0
            for s in socks:
                s.settimeout(1)
                try:
                    closed += s.recv(1) == b""
                except ConnectionResetError:
                    closed += 1
                except socket.timeout:
                    pass
            print(healthz, closed)
            """
        let output = try await offCooperativePool { try Emulator.python(["-c", script, port]) }
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "200 60", "healthz status and connections closed of 60: \(output)")
    }

    @Test("a listen address in use is a start-up error: said once, exit 1, no pass, SIGTERM not needed")
    func bindFailure() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let blocker = Process()
        blocker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        blocker.arguments = [
            "python3", "-c",
            "import socket,time,sys; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(120)",
        ]
        let out = Pipe()
        blocker.standardOutput = out
        try blocker.run()
        defer { blocker.terminate() }
        let port = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let (args, dir, env) = (harness.arguments(["--listen", "127.0.0.1:\(port)"]), harness.git.root.path, harness.emulator.awsEnvironment)
        let result = try await offCooperativePool { try CLI.run(args, in: dir, environment: env) }
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(port): Address already in use"), "\(result.stderr)")
        let passes = Journal.exists(in: harness.stateDir) ? try harness.journal().passes() : []
        #expect(passes.isEmpty, "no pass ran")
    }

    @Test("a journal with damaged pages is refused by run and apply at start, with how to move it aside")
    func damagedJournal() async throws {
        let harness = try ServiceHarness()
        defer { harness.tearDown() }
        let (service, _) = try await harness.start()
        try await harness.waitConverged(service, at: try harness.head())
        service.signal(SIGTERM)
        _ = try await service.waitForExit()
        let path = "\(harness.stateDir)/\(Journal.fileName)"
        // Everything into the database file first (the WAL may still hold the latest pages), then damage its pages.
        _ = try await offCooperativePool {
            try Emulator.python(["-c", "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')", path])
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        try #require(size > 8192)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(4096))
        handle.write(Data(repeating: 0x5A, count: size - 4096))
        try handle.close()
        for command in [
            harness.arguments(["--once"]),
            [
                "apply", "--repo", "file://\(harness.bare)", "--cache-dir", harness.git.path("cache"),
                "--state-dir", harness.stateDir,
            ],
        ] {
            let (dir, env) = (harness.git.root.path, harness.emulator.awsEnvironment)
            let result = try await offCooperativePool { try CLI.run(command, in: dir, environment: env) }
            #expect(result.status == 1, "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("mv \(path) \(path).damaged"), "\(command[0]): \(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: path), "nothing deleted")
    }
}
