@testable import AWS
import Foundation
import Testing

@Suite("AWS SigV4 test suite")
struct SigV4SuiteTests {
    @Test("the suite is present")
    func suitePresent() {
        #expect(SigV4SuiteCase.all.count >= 38)
    }

    @Test("header signing matches canonical request, string to sign and signature", arguments: SigV4SuiteCase.all)
    func headerSigning(name: String) throws {
        let c = try SigV4SuiteCase(name)
        let date = c.date
        let signer = SigV4Signer(now: { date })
        var input = c.input
        let result = signer.signHeaders(
            &input, credentials: c.credentials, region: c.context.region, service: c.context.service, options: c.options)
        #expect(result.canonicalRequest == (try c.expected("header-canonical-request.txt")))
        #expect(result.stringToSign == (try c.expected("header-string-to-sign.txt")))
        #expect(result.signature == (try c.expected("header-signature.txt")))
        let signedRequest = try c.expected("header-signed-request.txt")
        let authorization = signedRequest.split(separator: "\n").first { $0.hasPrefix("Authorization:") }
        #expect(input.header("authorization").map { "Authorization:\($0)" } == authorization.map(String.init))
    }

    @Test("query (presigned) signing matches canonical request, string to sign and signature", arguments: SigV4SuiteCase.all)
    func querySigning(name: String) throws {
        let c = try SigV4SuiteCase(name)
        let date = c.date
        let signer = SigV4Signer(now: { date })
        var input = c.input
        let result = signer.signQuery(
            &input, credentials: c.credentials, region: c.context.region, service: c.context.service,
            expires: c.context.expiration_in_seconds, options: c.options)
        #expect(result.canonicalRequest == (try c.expected("query-canonical-request.txt")))
        #expect(result.stringToSign == (try c.expected("query-string-to-sign.txt")))
        #expect(result.signature == (try c.expected("query-signature.txt")))
    }
}
