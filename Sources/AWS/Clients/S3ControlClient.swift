/// S3 Control's account-level Block Public Access (REST-XML, version 2018-08-20): what keeps every bucket of an account
/// from serving publicly, whatever the bucket says.
public struct S3ControlClient: Sendable {
    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The account's public access block; nil when the account has none.
    /// - Throws: `AWSError` (`AccessDenied`, …; `.invalidRequest` for an account id that is not 12 digits).
    public func getPublicAccessBlock(account: String, region: String) async throws -> PublicAccessBlock? {
        guard account.count == 12, account.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AWSError(
                kind: .invalidRequest, service: AWSService.s3control.rawValue, operation: "GetPublicAccessBlock", code: "InvalidAccountId",
                message: "`\(account)` is not a 12-digit AWS account id")
        }
        var operation = AWSOperation(
            service: .s3control, region: region, name: "GetPublicAccessBlock", path: "/v20180820/configuration/publicAccessBlock",
            headers: [("x-amz-account-id", account)], idempotent: true)
        operation.hostPrefix = "\(account)."
        return try await PublicAccessBlock.get(operation, through: sender)
    }
}
