import Foundation

/// The JSON 1.0 and 1.1 protocols (DynamoDB; ECS, SSM): a POST of a JSON object to `/`, the operation in
/// `X-Amz-Target`, a JSON object back.
public enum JSONProtocol {
    /// Builds the operation `target.name` with `body`.
    public static func operation(
        _ name: String, _ body: [String: Any], service: AWSService, region: String, target: String, version: String = "1.1",
        idempotent: Bool
    ) throws -> AWSOperation {
        let bytes = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return AWSOperation(
            service: service, region: region, name: name, method: "POST", path: "/",
            headers: [("Content-Type", "application/x-amz-json-\(version)"), ("X-Amz-Target", "\(target).\(name)")],
            body: [UInt8](bytes), idempotent: idempotent)
    }

    /// Sends `operation` and reads its answer as a JSON object (empty when the body is).
    public static func call(_ operation: AWSOperation, through sender: any AWSRequestSending) async throws -> [String: Any] {
        let response = try await sender.send(operation)
        if response.body.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw malformed(operation, "a body that is not a JSON object")
        }
        return object
    }

    /// An answer of `operation` that does not have the shape its model gives.
    public static func malformed(_ operation: AWSOperation, _ why: String) -> AWSError {
        AWSError(
            kind: .malformedResponse, service: operation.service.rawValue, operation: operation.name, code: "MalformedResponse",
            message: "\(operation.service.rawValue) answered \(operation.name) with \(why)")
    }
}
