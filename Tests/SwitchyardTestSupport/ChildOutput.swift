import Foundation

/// Runs `process` to its end with its output in files, not pipes, and returns what it wrote. Foundation's pipes are
/// not close-on-exec: a process another test spawns at the same moment can inherit a pipe's write end, and a reader
/// waiting for the pipe's end then waits as long as that process lives (a suite hung so in CI). A file has no end to
/// wait for. `stdin` is given from a file too, for the same reason.
/// - Parameter start: how to start it (`runWithSignalsUnblocked` for a child that must see SIGTERM).
/// - Parameter started: called once it runs (a watchdog).
public func runCapturingOutput(
    _ process: Process, stdin: Data? = nil, start: (Process) throws -> Void = { try $0.run() }, started: (Process) -> Void = { _ in }
) throws -> (stdout: Data, stderr: Data) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-child-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let paths = ["stdout", "stderr", "stdin"].map { scratch.appendingPathComponent($0).path }
    for (path, contents) in zip(paths, [Data(), Data(), stdin ?? Data()]) { _ = FileManager.default.createFile(atPath: path, contents: contents) }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: paths[0]))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: paths[1]))
    let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: paths[2]))
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    // Closed once the child is gone: Foundation still holds them while it runs.
    defer { for handle in [out, err, input] { try? handle.close() } }
    try start(process)
    started(process)
    process.waitUntilExit()
    return (FileManager.default.contents(atPath: paths[0]) ?? Data(), FileManager.default.contents(atPath: paths[1]) ?? Data())
}
