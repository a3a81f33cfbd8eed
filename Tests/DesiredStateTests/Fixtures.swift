import Foundation
import DesiredState

/// The Unishop file the schema tests start from; each bad case changes one thing.
let unishopYAML = """
apiVersion: switchyard/v1
kind: Application
metadata:
  name: unishop
spec:
  activeRegion: us-east-1
  standby: hot
  regions:
    us-east-1:
      bucket: hot-primary-uibucket-example
      originId: hot-primary-origin
      auroraCluster: arn:aws:rds:us-east-1:111122223333:cluster:hot-primary
    us-west-1:
      bucket: hot-secondary-uibucket-example
      originId: hot-secondary-origin
      auroraCluster: arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary
  cloudfront:
    distributionId: E1EXAMPLE
    originGroupId: hot-standby-origin-group
  aurora:
    globalClusterId: hot-global
    promotion: switchover

"""

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
