import Foundation

/// The two timestamp forms SigV4 uses, in UTC.
struct SigningTime: Sendable, Equatable {
    /// `20150830T123600Z`
    var amzDate: String
    /// `20150830`, the date part of the credential scope.
    var dateStamp: String

    init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ v: Int?, _ width: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        dateStamp = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2)
        amzDate = dateStamp + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }
}
