import Foundation
import Testing

@testable import AWS

@Suite("Text helpers on every response's path")
struct TextTests {
    @Test(
        "trimming matches Foundation's white space and newlines", arguments: ["", " ", "\n\t a b \r\n", "x", " x", "x ", "\u{00A0}x\u{2003}", "é "])
    func trimming(text: String) {
        #expect(text.trimmedWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("header names compare without regard to ASCII case, and nothing else")
    func headerNames() {
        #expect("Content-Type".equalsIgnoringASCIICase("content-type"))
        #expect("X-AMZ-Date".equalsIgnoringASCIICase("x-amz-date"))
        #expect(!"x-amz-date".equalsIgnoringASCIICase("x-amz-dat"))
        #expect(!"[".equalsIgnoringASCIICase("{"), "0x5B and 0x7B differ by the case bit but are not letters")
        #expect(!"@".equalsIgnoringASCIICase("`"))
    }
}
