extension AWSError {
    /// Codes of `.credentials` errors raised by the providers in this module.
    public enum CredentialsCode {
        /// This source is not set up here; a chain moves on to the next one.
        public static let notConfigured = "CredentialsNotConfigured"
        /// The source is set up but incomplete or contradictory.
        public static let invalidConfiguration = "InvalidCredentialsConfiguration"
        /// The source is set up but fetching from it failed.
        public static let fetchFailed = "CredentialsFetchFailed"
        /// No source in the chain yielded credentials.
        public static let noCredentials = "NoCredentials"
    }

    /// A `.credentials` error from one credential source; messages never carry secrets.
    static func credentials(_ source: String, _ code: String, _ message: String) -> AWSError {
        AWSError(kind: .credentials, service: "credentials", operation: source, code: code, message: message)
    }

    var isCredentialsNotConfigured: Bool { kind == .credentials && code == CredentialsCode.notConfigured }
}
