import Foundation

/// Turns a non-2xx response into an `AWSError` when no protocol-specific decoder is given:
/// status plus the `<Code>`, `<Message>` and `<RequestId>` elements found by substring.
public enum FallbackErrorDecoder {
    /// Decodes what it can; the code is `HTTP<status>` when the body has no `<Code>`.
    public static func decode(_ operation: AWSOperation, _ response: HTTPResponse) -> AWSError {
        let body = String(decoding: response.body.prefix(64 * 1024), as: UTF8.self)
        let requestID =
            element("RequestId", in: body) ?? element("RequestID", in: body)
            ?? response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        return AWSError(
            kind: .service, service: operation.service.rawValue, operation: operation.name,
            code: element("Code", in: body) ?? "HTTP\(response.status)", message: element("Message", in: body) ?? "",
            requestID: requestID, httpStatus: response.status)
    }

    /// The text of the first `<name>…</name>`, if any.
    static func element(_ name: String, in body: String) -> String? {
        guard let start = body.range(of: "<\(name)>"),
            let end = body.range(of: "</\(name)>", range: start.upperBound..<body.endIndex)
        else { return nil }
        let text = body[start.upperBound..<end.lowerBound].trimmedWhitespace
        return text.isEmpty ? nil : String(text)
    }
}
