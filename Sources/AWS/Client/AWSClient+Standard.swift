import Foundation
import Logging

extension AWSClient {
    /// The production assembly: the default credential chain, a `CurlTransport` (honouring
    /// `AWS_CA_BUNDLE`), SDK endpoint overrides and standard retries, all read from `environment`.
    /// - Parameters:
    ///   - errorDecoder: the protocol's error decoder; `FallbackErrorDecoder` when nil.
    ///   - onCall: told about every finished call (metrics).
    public static func standard(
        environment: [String: String] = ProcessInfo.processInfo.environment, errorDecoder: ErrorDecoder? = nil,
        logger: Logger, onCall: (@Sendable (AWSCallRecord) -> Void)? = nil
    ) -> AWSClient {
        let transport = CurlTransport(configuration: .init(environment: environment), logger: logger)
        let credentials = DefaultCredentialProvider(environment: environment, transport: transport, logger: logger)
        return AWSClient(
            credentials: credentials, transport: transport, endpoints: EndpointResolver(environment: environment),
            errorDecoder: errorDecoder, logger: logger, onCall: onCall)
    }
}
