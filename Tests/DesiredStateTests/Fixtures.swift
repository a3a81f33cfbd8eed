import DesiredState
import Foundation
import Reconciler
import SwitchyardTestSupport

/// Replaces the first line containing `old` with `new` (nil deletes it).
func replacing(_ old: String, with new: String?, in text: String = unishopYAML) -> String {
    var lines = text.components(separatedBy: "\n")
    guard let index = lines.firstIndex(where: { $0.contains(old) }) else { fatalError("no line contains \(old)") }
    if let new { lines[index] = new } else { lines.remove(at: index) }
    return lines.joined(separator: "\n")
}

func diagnostics(_ text: String, path: String = "desired-state/unishop.yaml") -> [Diagnostic] {
    switch ApplicationParser.parse(text, path: path) {
    case .success: return []
    case let .failure(failure): return failure.diagnostics
    }
}
