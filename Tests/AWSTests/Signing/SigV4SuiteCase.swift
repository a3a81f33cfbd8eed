@testable import AWS
import Foundation

/// One case folder of AWS's SigV4 test suite, read in place from Tests/AWSTests/Fixtures/sigv4 (its README says where from).
struct SigV4SuiteCase: Sendable, CustomStringConvertible {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4")

    /// Every case folder name, sorted.
    static var all: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/context.json").path) }
            .sorted()
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool
        var timestamp: String
        var omit_session_token: Bool?
    }

    var name: String
    var context: Context
    var input: SigningInput
    var description: String { name }

    init(_ name: String) throws {
        self.name = name
        context = try JSONDecoder().decode(Context.self, from: Data(contentsOf: Self.root.appendingPathComponent("\(name)/context.json")))
        input = try Self.parseRequest(Data(contentsOf: Self.root.appendingPathComponent("\(name)/request.txt")))
    }

    func expected(_ file: String) throws -> String {
        try String(decoding: Data(contentsOf: Self.root.appendingPathComponent("\(name)/\(file)")), as: UTF8.self)
    }

    var credentials: AWSCredentials {
        AWSCredentials(
            accessKeyID: context.credentials.access_key_id, secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token)
    }

    var date: Date { ISO8601DateFormatter().date(from: context.timestamp)! }

    var options: SigV4Signer.Options {
        SigV4Signer.Options(
            doubleURIEncode: true, normalizePath: context.normalize, addContentSHA256Header: context.sign_body,
            omitSessionToken: context.omit_session_token ?? false)
    }

    /// Parses the raw request: the path may hold spaces and raw UTF-8, headers may fold onto continuation lines.
    static func parseRequest(_ data: Data) throws -> SigningInput {
        let text = String(decoding: data, as: UTF8.self)
        let (head, body): (Substring, Substring) = {
            if let r = text.range(of: "\n\n") { return (text[..<r.lowerBound], text[r.upperBound...]) }
            return (Substring(text), "")
        }()
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if target.hasSuffix(" HTTP/1.1") { target.removeLast(" HTTP/1.1".count) }
        let (path, query): (String, String) = {
            guard let q = target.firstIndex(of: "?") else { return (target, "") }
            return (String(target[..<q]), String(target[target.index(after: q)...]))
        }()
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            let colon = line.firstIndex(of: ":")!
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        return SigningInput(method: method, path: path, query: query, headers: headers, body: Array(body.utf8))
    }
}
