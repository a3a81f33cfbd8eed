import Basics
import Foundation

/// Parses the documents credential sources answer with: STS XML, container/IMDS JSON, process JSON.
enum CredentialDocuments {
    /// The `<Credentials>` of an `AssumeRole*Response`.
    static func stsCredentials(_ body: [UInt8], source: String) throws -> AWSCredentials {
        let xml = String(decoding: body, as: UTF8.self)
        guard let block = FallbackErrorDecoder.element("Credentials", in: xml),
            let accessKeyID = FallbackErrorDecoder.element("AccessKeyId", in: block),
            let secret = FallbackErrorDecoder.element("SecretAccessKey", in: block)
        else { throw AWSError.credentials(source, "MalformedResponse", "STS response has no Credentials element") }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: unescapeXML(secret),
            sessionToken: FallbackErrorDecoder.element("SessionToken", in: block).map(unescapeXML),
            expiration: FallbackErrorDecoder.element("Expiration", in: block).flatMap(Timestamp.parse))
    }

    private static func unescapeXML(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private struct MetadataJSON: Decodable {
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var Token: String?
        var SessionToken: String?
        var Expiration: String?
        var Version: Int?
        var Code: String?
    }

    /// The JSON of ECS/EKS container credentials, IMDS role credentials and `credential_process` output.
    static func jsonCredentials(_ body: [UInt8], source: String, requireVersion1: Bool = false) throws -> AWSCredentials {
        guard let doc = try? JSONDecoder().decode(MetadataJSON.self, from: Data(body)) else {
            throw AWSError.credentials(source, "MalformedResponse", "credentials document is not the expected JSON")
        }
        if requireVersion1 && doc.Version != 1 {
            throw AWSError.credentials(source, "MalformedResponse", "credential_process output must have \"Version\": 1")
        }
        if let code = doc.Code, code != "Success" {
            throw AWSError.credentials(source, AWSError.CredentialsCode.fetchFailed, "metadata service answered Code \(code)")
        }
        guard let accessKeyID = doc.AccessKeyId, let secret = doc.SecretAccessKey, !accessKeyID.isEmpty, !secret.isEmpty else {
            throw AWSError.credentials(source, "MalformedResponse", "credentials document lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let text = doc.Expiration {
            guard let parsed = Timestamp.parse(text) else {
                throw AWSError.credentials(source, "MalformedResponse", "unreadable Expiration \(text)")
            }
            expiration = parsed
        }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: doc.Token ?? doc.SessionToken,
            expiration: expiration)
    }
}
