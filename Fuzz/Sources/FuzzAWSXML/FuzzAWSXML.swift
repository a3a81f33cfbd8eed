import AWS
import FuzzSupport

/// Any bytes as an AWS response body: the XML parser returns a tree or an XMLParseError, and a parsed tree serializes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let root = try? XMLElement.parse(fuzzBytes(data, size)) {
        _ = root.serialized()
    }
    return 0
}
