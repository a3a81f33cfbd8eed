import Basics
import CCurl

/// The state of one request while libcurl performs it: what callbacks collect, and the cancel flag.
///
/// `@unchecked Sendable`: the buffers are touched only by the thread running `curl_easy_perform`;
/// the one cross-thread field, `cancelled`, is locked.
final class CurlExchange: @unchecked Sendable {
    var responseHeaders: [(name: String, value: String)] = []
    var responseBody: [UInt8] = []
    /// The response-size cap; the write callback stops the transfer past it.
    var maxResponseBytes = Int.max
    /// Whether the transfer was stopped because the body went past `maxResponseBytes`.
    var tooLarge = false
    let errorBuffer: UnsafeMutablePointer<CChar>
    private let cancelled = Locked(false)

    init() {
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit { errorBuffer.deallocate() }

    /// Makes the progress callback abort the transfer.
    func cancel() { cancelled.withLock { $0 = true } }
    var isCancelled: Bool { cancelled.withLock { $0 } }

    var errorText: String {
        String(cString: errorBuffer)
    }

    /// One header line from libcurl; a status line starts a new response (e.g. after `100 Continue`).
    func receiveHeaderLine(_ line: String) {
        let trimmed = line.trimmingSuffix()
        if trimmed.hasPrefix("HTTP/") {
            responseHeaders.removeAll()
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = String(trimmed[..<colon])
        let value = String(trimmed[trimmed.index(after: colon)...]).trimmingSuffix().trimmingPrefix()
        responseHeaders.append((name, value))
    }

    var userdata: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ userdata: UnsafeMutableRawPointer?) -> CurlExchange {
        Unmanaged<CurlExchange>.fromOpaque(userdata!).takeUnretainedValue()
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }

    fileprivate func trimmingPrefix() -> String {
        String(drop { $0.isWhitespace })
    }
}

// C callbacks cannot capture context: the exchange travels as libcurl's userdata pointer.
let curlWriteCallback: ccurl_data_callback = { ptr, size, nmemb, userdata in
    let count = size * nmemb
    if let ptr, count > 0 {
        let exchange = CurlExchange.from(userdata)
        guard exchange.responseBody.count + count <= exchange.maxResponseBytes else {
            // Returning less than given makes libcurl stop the transfer (CURLE_WRITE_ERROR): nothing more is read.
            exchange.tooLarge = true
            exchange.responseBody = []
            return 0
        }
        exchange.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: count))
    }
    return count
}

let curlHeaderCallback: ccurl_data_callback = { ptr, size, nmemb, userdata in
    let count = size * nmemb
    if let ptr, count > 0 {
        let bytes = UnsafeRawBufferPointer(start: ptr, count: count)
        CurlExchange.from(userdata).receiveHeaderLine(String(decoding: bytes, as: UTF8.self))
    }
    return count
}

let curlProgressCallback: ccurl_xferinfo_callback = { userdata, _, _, _, _ in
    CurlExchange.from(userdata).isCancelled ? 1 : 0
}
