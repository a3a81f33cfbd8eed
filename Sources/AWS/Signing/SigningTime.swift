import Basics
import Foundation

/// The two timestamp forms SigV4 uses, in UTC.
struct SigningTime: Sendable, Equatable {
    /// `20150830T123600Z`
    var amzDate: String
    /// `20150830`, the date part of the credential scope.
    var dateStamp: String

    init(_ date: Date) {
        // `2015-08-30T12:36:00Z` without its separators.
        amzDate = String(Timestamp.format(date).filter { $0 != "-" && $0 != ":" })
        dateStamp = String(amzDate.prefix(8))
    }
}
