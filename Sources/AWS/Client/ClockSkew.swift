import Foundation

/// A signature refused because the host's clock is off AWS's: every service says it in its own words
/// (`RequestTimeTooSkewed`, `RequestExpired`, `SignatureDoesNotMatch`, `InvalidSignatureException`, S3's 403 HEAD
/// with no body), and the response's `Date` header tells by how much. The error is then worded as its cause.
public enum ClockSkew {
    /// Codes that say the request's time is off.
    static let timeCodes: Set<String> = ["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"]
    /// Codes that may mean a skewed clock (or a wrong key): said to be skew only when the `Date` header shows one.
    static let signatureCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure", "AccessDenied", "InvalidClientTokenId", "Forbidden",
    ]
    /// The smallest offset called skew for a code that does not say so itself: SigV4 allows 5 minutes.
    static let threshold: TimeInterval = 300

    /// The seconds the host clock is off AWS's (positive: the host is ahead), when `error` is a signature or time
    /// refusal and the response's `Date` shows an offset; nil otherwise.
    public static func offset(of error: AWSError, response: HTTPResponse, now: Date = Date()) -> Int? {
        guard error.httpStatus == 403 || error.httpStatus == 400 || error.httpStatus == 401 else { return nil }
        guard timeCodes.contains(error.code) || signatureCodes.contains(error.code) else { return nil }
        guard let text = response.header("Date"), let date = httpDate(text) else { return nil }
        let offset = now.timeIntervalSince(date)
        guard timeCodes.contains(error.code) || abs(offset) >= threshold else { return nil }
        return Int(offset.rounded())
    }

    /// `error` worded as its cause when the clock is off: the offset, AWS's `Date`, what to do, then AWS's words.
    public static func annotate(_ error: AWSError, response: HTTPResponse, now: Date = Date()) -> AWSError {
        guard let offset = offset(of: error, response: response, now: now), let date = response.header("Date") else { return error }
        var worded = error
        worded.clockSkew = offset
        let direction = offset >= 0 ? "ahead of" : "behind"
        worded.message =
            "the host clock is \(abs(offset)) seconds off AWS (\(direction) it; Date: \(date)): AWS refuses requests signed "
            + "more than 5 minutes off; set the host's time (NTP, e.g. `timedatectl set-ntp true`) and run again"
            + (error.message.isEmpty ? "" : " [\(error.message)]")
        return worded
    }

    /// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's preferred form).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }
}
