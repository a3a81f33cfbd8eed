import Basics
import Foundation

/// A successful response's XML body, with the context to say precisely what it lacks.
///
/// Every accessor that finds a missing or unreadable value throws an `AWSError` of kind
/// `.malformedResponse` naming the operation, the path and the HTTP status, so a client never
/// returns a partial value.
public struct XMLResponse: Sendable {
    /// The parsed body.
    public let root: XMLElement
    /// The operation that was answered.
    public let operation: AWSOperation
    /// The response's HTTP status.
    public let status: Int
    /// The request id from `x-amz-request-id` or `x-amzn-RequestId`, if either was sent.
    public let requestID: String?

    /// Parses the body of `response` to `operation`.
    /// - Throws: `AWSError` of kind `.malformedResponse` when the body is not well-formed XML.
    public init(_ response: HTTPResponse, for operation: AWSOperation) throws(AWSError) {
        self.operation = operation
        self.status = response.status
        self.requestID = response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
        do {
            root = try XMLElement.parse(response.body)
        } catch {
            throw Self.malformed(
                operation: operation, status: response.status, requestID: requestID,
                "the body is not well-formed XML (\(error.reason.rawValue) at byte \(error.offset))")
        }
    }

    /// An `AWSError` of kind `.malformedResponse` for this response.
    public func malformed(_ message: String) -> AWSError {
        Self.malformed(operation: operation, status: status, requestID: requestID, message)
    }

    /// Checks that the root element has this name.
    /// - Throws: `.malformedResponse` when it does not.
    public func expectRoot(_ name: String) throws(AWSError) {
        guard root.localName == name else { throw malformed("expected <\(name)>, got <\(root.name)>") }
    }

    /// The Query protocol's `<ActionResult>` inside `<ActionResponse>`, for the operation's name.
    /// - Throws: `.malformedResponse` when either is missing.
    public func queryResult() throws(AWSError) -> XMLElement {
        try expectRoot("\(operation.name)Response")
        return try required("\(operation.name)Result", in: root)
    }

    /// The element at a slash-separated path below `element`.
    /// - Throws: `.malformedResponse` when there is none.
    public func required(_ path: String, in element: XMLElement) throws(AWSError) -> XMLElement {
        guard let found = element.element(at: path) else { throw malformed("missing \(element.name)/\(path)") }
        return found
    }

    /// The trimmed, non-empty text at a path below `element`.
    /// - Throws: `.malformedResponse` when the element is missing or empty.
    public func requiredText(_ path: String, in element: XMLElement) throws(AWSError) -> String {
        guard let text = self.text(path, in: element), !text.isEmpty else {
            throw malformed("missing or empty \(element.name)/\(path)")
        }
        return text
    }

    /// The trimmed text at a path below `element`, or nil when the element is absent.
    public func text(_ path: String, in element: XMLElement) -> String? {
        element.text(at: path)?.trimmedWhitespace
    }

    /// A boolean (`true`/`false`) at a path, or nil when absent.
    /// - Throws: `.malformedResponse` when present but not a boolean.
    public func bool(_ path: String, in element: XMLElement) throws(AWSError) -> Bool? {
        guard let text = text(path, in: element) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw malformed("\(element.name)/\(path) is not a boolean: \(text)")
        }
    }

    /// An integer at a path, or nil when absent.
    /// - Throws: `.malformedResponse` when present but not an integer.
    public func int(_ path: String, in element: XMLElement) throws(AWSError) -> Int? {
        guard let text = text(path, in: element) else { return nil }
        guard let value = Int(text) else { throw malformed("\(element.name)/\(path) is not an integer: \(text)") }
        return value
    }

    /// A finite number at a path, or nil when absent.
    /// - Throws: `.malformedResponse` when present but not a number.
    public func double(_ path: String, in element: XMLElement) throws(AWSError) -> Double? {
        guard let text = text(path, in: element) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw malformed("\(element.name)/\(path) is not a number: \(text)")
        }
        return value
    }

    /// An ISO 8601 timestamp at a path, or nil when absent.
    /// - Throws: `.malformedResponse` when present but not a timestamp.
    public func date(_ path: String, in element: XMLElement) throws(AWSError) -> Date? {
        guard let text = text(path, in: element) else { return nil }
        guard let value = Timestamp.parse(text) else { throw malformed("\(element.name)/\(path) is not a timestamp: \(text)") }
        return value
    }

    /// The texts of a list's members, e.g. `Readers/member`; empty when the list is absent.
    public func texts(_ listPath: String, member: String = "member", in element: XMLElement) -> [String] {
        (element.element(at: listPath)?.children(named: member) ?? []).map {
            $0.text.trimmedWhitespace
        }
    }

    private static func malformed(operation: AWSOperation, status: Int, requestID: String?, _ message: String) -> AWSError {
        AWSError(
            kind: .malformedResponse, service: operation.service.rawValue, operation: operation.name,
            code: "MalformedResponse", message: message, requestID: requestID, httpStatus: status)
    }
}
