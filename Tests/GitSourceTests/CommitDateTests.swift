@testable import GitSource
import Testing

/// `GIT_AUTHOR_DATE` and `GIT_COMMITTER_DATE` in the forms git documents (git-commit(1), DATE FORMATS).
@Suite("Commit dates from the environment")
struct CommitDateTests {
    @Test(
        "git's raw, ISO 8601 and RFC 2822 forms read to the same instant and offset",
        arguments: [
            ("1112911993 +0200", 1_112_911_993, 120),
            ("@1112911993 +0200", 1_112_911_993, 120),
            ("2005-04-07T22:13:13+02:00", 1_112_904_793, 120),
            ("2005-04-07 22:13:13 +0200", 1_112_904_793, 120),
            ("2005-04-07T20:13:13Z", 1_112_904_793, 0),
            ("Thu, 07 Apr 2005 22:13:13 +0200", 1_112_904_793, 120),
            ("Thu, 07 Apr 2005 22:13:13 -0130", 1_112_917_393, -90),
        ])
    func forms(_ text: String, _ seconds: Int64, _ offset: Int32) {
        #expect(GitDate(parsing: text) == GitDate(seconds: seconds, offsetMinutes: offset))
    }

    @Test("text git would not read as a date is refused", arguments: ["yesterday", "2005-04-07", "1112911993 +2", ""])
    func refused(_ text: String) {
        #expect(GitDate(parsing: text) == nil)
    }
}
