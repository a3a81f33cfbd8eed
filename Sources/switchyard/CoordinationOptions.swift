import ArgumentParser
import AWS
import Foundation
import Reconciler

/// How hosts agree: the DynamoDB lock table and this host's name and lease in it. Declared once for `plan`,
/// `apply`, `status`, `run`, `suspend`, `resume` (and `iam-policy`, for the table's permissions).
struct CoordinationOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "DynamoDB lock table shared by the hosts (string partition key LockID), env SWITCHYARD_LOCK_TABLE.",
            discussion:
                "Holds per app the commit fence, a lease and any suspension, so hosts in two regions never undo each other. See docs/OPERATIONS.md.",
            valueName: "name"))
    var lockTable: String?

    @Option(
        help: ArgumentHelp("The region of the lock table replica this host uses. Default: AWS_REGION, else AWS_DEFAULT_REGION.", valueName: "region"))
    var lockRegion: String?

    @Option(
        help: ArgumentHelp(
            "How long a lease on an app lasts without renewal (renewed while steps wait); another host takes over after.",
            valueName: "duration"))
    var leaseDuration: DurationArgument = DurationArgument(.seconds(30))

    @Option(
        help: ArgumentHelp(
            "The most one lock-table call may take, retries included, e.g. 5s: a replica whose region is down costs this.",
            valueName: "duration"))
    var lockTimeout: DurationArgument = DurationArgument(.seconds(10))

    @Option(help: ArgumentHelp("This host's name in the lock table. Default: the host name and the state folder.", valueName: "name"))
    var hostID: String?

    func validate() throws {
        if let table, !Self.isTable(table) {
            throw ValidationError(
                "--lock-table \(table) is neither a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -) nor a table ARN "
                    + "(arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)")
        }
        guard leaseDuration.value >= .seconds(3) else { throw ValidationError("--lease-duration must be at least 3s") }
        guard lockTimeout.value >= .seconds(1) else { throw ValidationError("--lock-timeout must be at least 1s") }
    }

    /// A DynamoDB table name, or a table's ARN (whose name follows the same rule).
    static func isTable(_ text: String) -> Bool {
        func isName(_ name: Substring) -> Bool {
            (3...255).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
        }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return isName(Substring(text)) }
        return parts[2] == "dynamodb" && !parts[1].isEmpty && !parts[3].isEmpty && parts[4].count == 12 && parts[4].allSatisfy(\.isNumber)
            && parts[5].hasPrefix("table/") && isName(parts[5].dropFirst("table/".count))
    }

    /// The table's name: the option, else `SWITCHYARD_LOCK_TABLE`.
    var table: String? {
        lockTable ?? ProcessInfo.processInfo.environment["SWITCHYARD_LOCK_TABLE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The coordinator: on the lock table when one is named (every call in the replica's region), else the state
    /// folder's suspensions only.
    /// - Parameter client: the AWS client, needed only with a lock table.
    func coordinator(stateDirectory: String, client: AWSClient?) throws -> Coordinator {
        let host = hostID ?? "\(hostName()):\(stateDirectory)"
        guard let table else {
            return Coordinator(store: StateFolderStore(stateDirectory: stateDirectory), shared: false, host: host, leaseDuration: leaseDuration.value)
        }
        let env = ProcessInfo.processInfo.environment
        guard let region = lockRegion ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw ValidationError("--lock-table \(table) needs the region of its replica: pass --lock-region or set AWS_REGION")
        }
        guard let client else { throw ValidationError("--lock-table \(table) needs AWS credentials") }
        return Coordinator(
            store: DynamoDBLockTable(
                table: table, region: region, sender: client, timeout: lockTimeout.value,
                advice: "the host uses the replica in \(region) (--lock-region, else AWS_REGION): pass --lock-region with a region "
                    + "whose replica answers, or --lock-timeout to wait longer"),
            shared: true, host: host,
            leaseDuration: leaseDuration.value, local: StateFolderStore(stateDirectory: stateDirectory))
    }
}

/// This machine's host name (gethostname: no DNS lookup).
func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
