/// Systems Manager Parameter Store's String parameters (JSON 1.1 protocol, `AmazonSSM`), in the region asked.
public struct SSMClient: Sendable {
    /// The `X-Amz-Target` prefix.
    public static let target = "AmazonSSM"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The parameter's value; nil when the region has no parameter of that name.
    /// - Throws: `AWSError`.
    public func getParameter(name: String, region: String) async throws -> String? {
        let operation = try JSONProtocol.operation(
            "GetParameter", ["Name": name], service: .ssm, region: region, target: Self.target, idempotent: true)
        do {
            let object = try await JSONProtocol.call(operation, through: sender)
            guard let value = (object["Parameter"] as? [String: Any])?["Value"] as? String else {
                throw JSONProtocol.malformed(operation, "no Parameter.Value")
            }
            return value
        } catch let error as AWSError where error.code == "ParameterNotFound" {
            return nil
        }
    }

    /// Writes a String parameter, replacing its value.
    /// - Throws: `AWSError`. Writing the same value again is harmless, so an ambiguous failure may be retried by reading.
    public func putParameter(name: String, value: String, region: String) async throws {
        let operation = try JSONProtocol.operation(
            "PutParameter", ["Name": name, "Value": value, "Type": "String", "Overwrite": true], service: .ssm, region: region,
            target: Self.target, idempotent: false)
        _ = try await JSONProtocol.call(operation, through: sender)
    }
}
