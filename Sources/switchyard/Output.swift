import ArgumentParser
import Foundation
import Presentation
import Reconciler

/// Where people read progress and errors; stdout carries only results.
enum Terminal {
    static func error(_ message: String) {
        fflush(nil)
        FileHandle.standardError.write(Data("error: \(TerminalText.visible(message))\n".utf8))
    }

    static func note(_ message: String) {
        fflush(nil)  // keep results and notes in the order they happened when both go to one terminal
        FileHandle.standardError.write(Data("\(TerminalText.visible(message))\n".utf8))
    }

    /// Prints a Codable value as the JSON results of a command.
    static func printJSON<T: Encodable>(_ value: T) throws {
        Swift.print(TerminalText.visible(json: String(decoding: try JSONEncoder.switchyard().encode(value), as: UTF8.self)))
    }
}

/// Runs a command body, printing any error for a person and exiting 1.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.error("\(CommandLineError.advising(error))")
        throw ExitCode.failure
    }
}
