/// STS's GetCallerIdentity (Query protocol, version 2011-06-15): who the credentials belong to.
public struct STSClient: Sendable {
    /// The Query `Version` parameter.
    public static let apiVersion = "2011-06-15"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    /// A client sending through `sender`.
    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The account, ARN and user id of the calling credentials, from the regional STS endpoint.
    /// - Throws: `AWSError` (`InvalidClientTokenId`, `ExpiredToken`, `.malformedResponse`, …).
    public func getCallerIdentity(region: String) async throws -> CallerIdentity {
        let parameters = QueryParameters(action: "GetCallerIdentity", version: Self.apiVersion)
        let operation = QueryProtocol.operation(parameters, service: .sts, region: region, idempotent: true)
        let xml = try XMLResponse(try await sender.send(operation), for: operation)
        let result = try xml.queryResult()
        return CallerIdentity(
            account: try xml.requiredText("Account", in: result), arn: try xml.requiredText("Arn", in: result),
            userID: try xml.requiredText("UserId", in: result))
    }
}

/// The identity behind a set of credentials.
public struct CallerIdentity: Sendable, Hashable {
    /// The 12-digit account id.
    public var account: String
    /// The caller's ARN, e.g. `arn:aws:sts::123456789012:assumed-role/switchyard/session`.
    public var arn: String
    /// The unique id of the caller.
    public var userID: String

    /// An identity with these values.
    public init(account: String, arn: String, userID: String) {
        self.account = account
        self.arn = arn
        self.userID = userID
    }
}
