import Foundation

/// Turns a non-2xx response into an `AWSError`: the `errorDecoder` the request sender calls.
///
/// Understands the three error documents Switchyard's services send:
/// - REST-XML, S3: `<Error><Code/><Message/><RequestId/></Error>`;
/// - REST-XML, CloudFront, and Query (RDS, STS, CloudWatch):
///   `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`;
/// - the legacy `<Response><Errors><Error>…</Error></Errors><RequestID/></Response>`;
/// - JSON 1.0 and 1.1 (DynamoDB, ECS, SSM): `{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
///   "message": …}`.
///
/// An empty body (S3 answers HEAD with none) yields a code derived from the status; a body that is
/// not one of these documents yields kind `.malformedResponse` carrying the status.
public enum AWSErrorDecoder {
    /// `decode(operation:response:)` as the closure the request sender is given.
    public static let errorDecoder: @Sendable (AWSOperation, HTTPResponse) -> AWSError = { decode(operation: $0, response: $1) }

    /// Decodes the error in `response` to `operation`; total: every input gives an `AWSError`.
    public static func decode(operation: AWSOperation, response: HTTPResponse) -> AWSError {
        let headerRequestID = response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return emptyBodyError(operation: operation, response: response, requestID: headerRequestID)
        }
        func malformed(_ why: String) -> AWSError {
            AWSError(
                kind: .malformedResponse, service: operation.service.rawValue, operation: operation.name,
                code: "MalformedErrorResponse", message: "HTTP \(response.status) with \(why)",
                requestID: headerRequestID, httpStatus: response.status)
        }
        if operation.service.usesJSON {
            return jsonError(operation: operation, response: response, requestID: headerRequestID, malformed: malformed)
        }
        let root: XMLElement
        do {
            root = try XMLElement.parse(response.body)
        } catch {
            return malformed("an error body that is not well-formed XML (\(error.reason.rawValue) at byte \(error.offset))")
        }
        let errorElement: XMLElement?
        let bodyRequestID: String?
        switch root.localName {
        case "Error":
            errorElement = root
            bodyRequestID = root.text(at: "RequestId")
        case "ErrorResponse":
            errorElement = root.child(named: "Error") ?? root.element(at: "Errors/Error")
            bodyRequestID = root.text(at: "RequestId") ?? errorElement?.text(at: "RequestId")
        case "Response":
            errorElement = root.element(at: "Errors/Error")
            bodyRequestID = root.text(at: "RequestID") ?? root.text(at: "RequestId")
        default:
            return malformed("an unrecognised error document <\(root.name)>")
        }
        guard let errorElement, let code = errorElement.text(at: "Code").map(trimmed), !code.isEmpty else {
            return malformed("an error document without Error/Code")
        }
        return AWSError(
            kind: .service, service: operation.service.rawValue, operation: operation.name, code: code,
            message: errorElement.text(at: "Message").map(trimmed) ?? "",
            requestID: bodyRequestID.map(trimmed).flatMap { $0.isEmpty ? nil : $0 } ?? headerRequestID,
            httpStatus: response.status)
    }

    /// A JSON-protocol error: the code is `__type` after its `#` (botocore's rule), the message `message` or `Message`.
    private static func jsonError(
        operation: AWSOperation, response: HTTPResponse, requestID: String?,
        malformed: (String) -> AWSError
    ) -> AWSError {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            return malformed("an error body that is not a JSON object")
        }
        guard let type = (object["__type"] as? String) ?? (object["code"] as? String), !type.isEmpty else {
            return malformed("a JSON error without __type")
        }
        let code = String(type.split(separator: "#").last ?? Substring(type))
        return AWSError(
            kind: .service, service: operation.service.rawValue, operation: operation.name, code: code,
            message: (object["message"] as? String) ?? (object["Message"] as? String) ?? "",
            requestID: requestID, httpStatus: response.status)
    }

    /// The code S3 (or a proxy) meant by a bodiless status, e.g. `NoSuchBucket` for HeadBucket's 404.
    public static func code(forStatus status: Int, operation: AWSOperation) -> String {
        switch status {
        case 404 where operation.service == .s3 && operation.name == "HeadBucket": "NoSuchBucket"
        case 301: "PermanentRedirect"
        case 304: "NotModified"
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "AccessDenied"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 502: "BadGateway"
        case 503: "ServiceUnavailable"
        case 504: "GatewayTimeout"
        default: "HTTP\(status)"
        }
    }

    private static func emptyBodyError(operation: AWSOperation, response: HTTPResponse, requestID: String?) -> AWSError {
        var message = "HTTP \(response.status) with an empty body"
        if let region = response.header("x-amz-bucket-region") {
            message += "; the bucket is in \(region)"
        }
        return AWSError(
            kind: .service, service: operation.service.rawValue, operation: operation.name,
            code: code(forStatus: response.status, operation: operation), message: message,
            requestID: requestID, httpStatus: response.status)
    }

    private static func trimmed(_ s: String) -> String {
        s.trimmedWhitespace
    }
}
