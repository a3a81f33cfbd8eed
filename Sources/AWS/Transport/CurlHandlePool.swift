import Basics
import CCurl

/// libcurl's process-wide setup, done exactly once before the first handle exists.
enum CurlGlobal {
    private static let initialized: Bool = ccurl_global_init() == CURLE_OK

    /// Runs `curl_global_init` the first time it is called.
    static func ensureInitialized() { _ = initialized }
}

/// Idle easy handles, kept so their live connections (and TLS sessions, DNS cache) serve the next request.
final class CurlHandlePool: Sendable {
    private let idle = Locked<[UnsafeMutableRawPointer]>([])
    private let capacity: Int

    init(capacity: Int) {
        CurlGlobal.ensureInitialized()
        self.capacity = capacity
    }

    /// An idle handle, or a new one; nil only if libcurl cannot allocate.
    func take() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.popLast() } ?? curl_easy_init()
    }

    /// Returns a handle after use. `curl_easy_reset` clears options but keeps the connection cache.
    func give(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let kept = idle.withLock { handles -> Bool in
            guard handles.count < capacity else { return false }
            handles.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    deinit {
        idle.withLock { handles in
            handles.forEach { curl_easy_cleanup($0) }
            handles.removeAll()
        }
    }
}
