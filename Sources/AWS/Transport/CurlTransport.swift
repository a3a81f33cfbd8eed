import CCurl
import Dispatch
import Foundation
import Logging

/// `HTTPTransport` on libcurl: pooled connections, verified TLS, timeouts, redacted debug logs.
///
/// `curl_easy_perform` blocks, so each request runs on a serial dispatch queue of its own, never on
/// Swift's cooperative pool; the caller's task suspends on a continuation meanwhile.
public struct CurlTransport: HTTPTransport {
    /// Timeouts, trust and pooling.
    public struct Configuration: Sendable {
        /// Time allowed to establish the TCP and TLS connection.
        public var connectTimeout: Duration
        /// Time allowed for the whole exchange, connection included.
        public var timeout: Duration
        /// A PEM bundle to trust instead of the system's (`AWS_CA_BUNDLE`).
        public var caBundlePath: String?
        /// How many idle handles (and their connections) to keep.
        public var maxIdleConnections: Int

        /// - Parameter environment: read for `AWS_CA_BUNDLE`.
        public init(
            connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30), caBundlePath: String? = nil,
            maxIdleConnections: Int = 8, environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.caBundlePath = caBundlePath ?? environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
            self.maxIdleConnections = maxIdleConnections
        }
    }

    private let configuration: Configuration
    private let pool: CurlHandlePool
    private let logger: Logger

    /// - Parameter logger: receives request/response lines at `.debug` and headers at `.trace`, secrets redacted.
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.pool = CurlHandlePool(capacity: configuration.maxIdleConnections)
        self.logger = logger
    }

    /// Sends the request once. Throws `AWSError` (`.transport`, `.timeout`, `.invalidRequest`) or `CancellationError`.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let exchange = CurlExchange()
        exchange.maxResponseBytes = request.maxResponseBytes
        let safeURL = Redaction.url(request.url.absoluteString)
        logger.debug("HTTP request", metadata: ["http.request": "\(request.method) \(safeURL)", "http.body_bytes": "\(request.body.count)"])
        if logger.logLevel <= .trace {
            for (name, value) in request.headers {
                logger.trace("HTTP request header", metadata: ["http.header": "\(name): \(Redaction.header(name, value))"])
            }
        }
        let (pool, configuration) = (self.pool, self.configuration)
        let result: Result<HTTPResponse, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A serial queue per transfer: serial queues draw on dispatch's overcommitting pool,
                // which gives each blocked transfer a thread. One shared concurrent queue stays near
                // the core count on Linux, so a plan's 2,000 reads went ~7 at a time.
                DispatchQueue(label: "switchyard.curl.transfer").async {
                    continuation.resume(returning: Self.perform(request, exchange: exchange, pool: pool, configuration: configuration))
                }
            }
        } onCancel: {
            exchange.cancel()
        }
        switch result {
        case .success(let response):
            logger.debug(
                "HTTP response",
                metadata: [
                    "http.request": "\(request.method) \(safeURL)", "http.status": "\(response.status)", "http.body_bytes": "\(response.body.count)",
                ])
            if logger.logLevel <= .trace {
                for (name, value) in response.headers {
                    logger.trace("HTTP response header", metadata: ["http.header": "\(name): \(Redaction.header(name, value))"])
                }
            }
            return response
        case .failure(let error):
            logger.debug("HTTP failure", metadata: ["http.request": "\(request.method) \(safeURL)", "error": "\(error)"])
            throw error
        }
    }

    /// Runs one blocking transfer on the calling (dispatch) thread.
    private static func perform(
        _ request: HTTPRequest, exchange: CurlExchange, pool: CurlHandlePool, configuration: Configuration
    ) -> Result<HTTPResponse, any Error> {
        guard let handle = pool.take() else {
            return .failure(failure(request, .transport, AWSError.TransportCode.other, "libcurl could not allocate a handle"))
        }
        defer { pool.give(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            // `Name;` is curl's spelling for a header with an empty value.
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // Stop curl adding headers we did not sign or want: Expect: 100-continue and a default form Content-Type.
        headerList = curl_slist_append(headerList, "Expect:")
        if request.header("Content-Type") == nil { headerList = curl_slist_append(headerList, "Content-Type:") }

        _ = ccurl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        _ = ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = configuration.caBundlePath { _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, ca) }
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.connectTimeout))
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(configuration.timeout))
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, exchange.errorBuffer)
        _ = ccurl_setopt_write_function(handle, curlWriteCallback)
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, exchange.userdata)
        _ = ccurl_setopt_header_function(handle, curlHeaderCallback)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, exchange.userdata)
        _ = ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = ccurl_setopt_xferinfo_function(handle, curlProgressCallback)
        _ = ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, exchange.userdata)

        let method = request.method.uppercased()
        switch method {
        case "GET" where request.body.isEmpty:
            _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case "DELETE" where request.body.isEmpty:
            _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        default:
            // COPYPOSTFIELDS copies the body now, so no buffer must outlive this call.
            _ = ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            if request.body.isEmpty {
                _ = ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                _ = request.body.withUnsafeBytes { bytes in
                    ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
            if method != "POST" { _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
        }

        let code = curl_easy_perform(handle)
        if code == CURLE_OK {
            var status = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: exchange.responseHeaders, body: exchange.responseBody))
        }
        if code == CURLE_ABORTED_BY_CALLBACK && exchange.isCancelled { return .failure(CancellationError()) }
        if exchange.tooLarge {
            return .failure(
                AWSError(
                    kind: .malformedResponse, service: request.url.host() ?? "http", operation: request.method,
                    code: "ResponseTooLarge",
                    message: "the response went past \(request.maxResponseBytes) bytes and was not read; nothing was taken from it"))
        }
        // A transfer on a reused keep-alive connection never connects, so its connect time stays 0: judge by the
        // request bytes sent too, or a response timeout there reads as "could not connect" and a non-idempotent
        // call (a promotion) is sent twice.
        var connectMicros: curl_off_t = 0
        _ = ccurl_getinfo_off(handle, CURLINFO_CONNECT_TIME_T, &connectMicros)
        var requestBytes = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestBytes)
        return .failure(mapFailure(code, connected: connectMicros > 0 || requestBytes > 0, detail: exchange.errorText, request: request))
    }

    /// Sorts curl failures by what a retry may assume: never sent, or possibly applied.
    private static func mapFailure(_ code: CURLcode, connected: Bool, detail: String, request: HTTPRequest) -> AWSError {
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let message = "\(text) (curl \(code.rawValue))"
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return connected
                ? failure(request, .timeout, AWSError.TransportCode.timedOut, "no complete response in time: \(message)")
                : failure(request, .timeout, AWSError.TransportCode.connectTimedOut, "could not connect in time: \(message)")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return failure(request, .transport, AWSError.TransportCode.connectionFailed, "could not connect: \(message)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return failure(request, .transport, AWSError.TransportCode.tlsFailure, "TLS failed (check AWS_CA_BUNDLE): \(message)")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return failure(request, .transport, AWSError.TransportCode.connectionLost, "connection lost mid-request: \(message)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return failure(request, .invalidRequest, "InvalidURL", message)
        default:
            return failure(request, .transport, AWSError.TransportCode.other, message)
        }
    }

    /// Transport errors name the host and method; `AWSClient` replaces them with service and operation.
    private static func failure(_ request: HTTPRequest, _ kind: AWSError.Kind, _ code: String, _ message: String) -> AWSError {
        AWSError(kind: kind, service: request.url.host() ?? "http", operation: request.method, code: code, message: message)
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (seconds, attoseconds) = d.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
