import Basics

extension EnvironmentCredentialProvider: Redacting {}
extension DefaultCredentialProvider: Redacting {}
extension ProfileCredentialProvider: Redacting {}
extension IMDSCredentialProvider: Redacting {}
extension ContainerCredentialProvider: Redacting {}
extension StaticCredentialProvider: Redacting {}
extension CachingCredentialProvider: Redacting {}
extension AssumeRoleCredentialProvider: Redacting {}
extension WebIdentityCredentialProvider: Redacting {}
extension ProcessCredentialProvider: Redacting {}
extension STSCredentialFetcher: Redacting {}
extension SharedConfigFiles: Redacting {}
extension EndpointResolver: Redacting {}
extension AWSClient: Redacting {}
extension CurlTransport: Redacting {}
extension CurlTransport.Configuration: Redacting {}
extension SigningKeyCache: Redacting {}
extension SigV4Signer: Redacting {}
extension SigningInput: Redacting {}

extension Dictionary where Key == String, Value == String {
    /// The variables the AWS layer reads (`AWS_*` and `HOME`): what a provider or resolver keeps of the process
    /// environment, rather than all of it (the Git token and anything else a host sets stay out).
    package var awsRelevant: [String: String] {
        filter { $0.key.hasPrefix("AWS_") || $0.key == "HOME" }
    }
}
