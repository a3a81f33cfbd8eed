extension AWSError {
    /// The codes `HTTPTransport` failures carry, so retries can tell "never sent" from "maybe applied".
    public enum TransportCode {
        /// DNS or TCP connect failed: the request never left.
        public static let connectionFailed = "ConnectionFailed"
        /// No connection within the connect timeout: the request never left.
        public static let connectTimedOut = "ConnectTimedOut"
        /// TLS handshake or certificate verification failed: never sent, and retrying will not help.
        public static let tlsFailure = "TLSFailure"
        /// The connection dropped mid-exchange: the server may have acted on the request.
        public static let connectionLost = "ConnectionLost"
        /// No complete response within the total timeout: the server may have acted on the request.
        public static let timedOut = "TimedOut"
        /// Any other libcurl failure.
        public static let other = "TransportError"
    }

    /// True when the failure happened before any byte of the request could reach the server,
    /// so even a non-idempotent call can be sent again.
    public var requestCertainlyNotSent: Bool {
        (kind == .transport && code == TransportCode.connectionFailed)
            || (kind == .timeout && code == TransportCode.connectTimedOut)
    }
}
