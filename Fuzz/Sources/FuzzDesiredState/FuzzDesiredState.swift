import DesiredState
import FuzzSupport

/// Any bytes, read as a desired-state file: the parser answers with an application or diagnostics, never crashes.
/// A file that parses must also flip: `ActiveRegionEdit` to each other region gives a file that parses to that region.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let path = "desired-state/fuzz.yaml"
    switch ApplicationParser.parse(text, path: path) {
    case .failure(let failure):
        _ = failure.diagnostics.map(\.description)
    case .success(let app):
        for region in app.spec.regions.map(\.name) where region != app.spec.activeRegion {
            guard let flipped = try? ActiveRegionEdit.apply(to: text, of: app, region: region) else { continue }
            guard case .success(let reparsed) = ApplicationParser.parse(flipped, path: path),
                reparsed.spec.activeRegion == region
            else { fatalError("ActiveRegionEdit wrote a file that does not parse to activeRegion \(region)") }
        }
    }
    return 0
}
