// swift-tools-version:5.4
// Switchyard's libFuzzer targets: a package of its own, so the normal `swift build` and `swift test`
// never compile them. Built and run only by Fuzz/run.sh with -sanitize=fuzzer,address.
//
// Why tools version 5.4: from 5.5 on SwiftPM links every executable with `--defsym main=<target>_main`,
// which needs a Swift `main` and hides libFuzzer's. Here the targets are compiled as libraries
// (-parse-as-library, no `main`), so libFuzzer's `main` drives `LLVMFuzzerTestOneInput`.
// The code itself is still checked in the Swift 6 language mode (-swift-version 6).
import PackageDescription

/// Every fuzz target, one line each: its name and the Switchyard modules it calls.
/// Adding a target is one line here plus `Sources/<name>/<name>.swift` (and seed files in `Corpus/<name>/`);
/// Fuzz/run.sh fuzzes every target of this table.
let fuzzTargets: [(name: String, modules: [String])] = [
    ("FuzzDesiredState", ["DesiredState"]),        // ApplicationParser.parse: a desired-state YAML file
    ("FuzzAWSXML", ["AWS"]),                       // XMLElement.parse: any AWS response body
    ("FuzzAWSErrorDecoder", ["AWS"]),              // AWSErrorDecoder.decode: non-2xx bodies of every service
    ("FuzzS3Responses", ["AWS"]),                  // S3Client response decoding (public access block, website)
    ("FuzzRDSResponses", ["AWS"]),                 // RDSClient response decoding (global clusters, DB clusters, promotions)
    ("FuzzCloudFrontResponses", ["AWS"]),          // CloudFrontClient response decoding (distribution, config, origin groups)
    ("FuzzSSHSignature", ["GitSource"]),           // SSHSignature.parse(armored:) / parse(blob:), then verify
    ("FuzzAllowedSigners", ["GitSource"]),         // AllowedSigners.parse, then a verdict on a fixed signature
    ("FuzzSignatureRule", ["GitSource"]),          // SignatureRule.tally: random histories of signed contents (the two-person rule)
    ("FuzzWebhookPayload", ["SwitchyardService"]), // X-Hub-Signature-256 check and WebhookEvent.parse
]

let switchyard = "switchyard"

let swift6: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

let package = Package(
    name: "switchyard-fuzz",
    dependencies: [.package(name: switchyard, path: "..")],
    targets: [
        // In-memory AWS sender and the async bridge the response targets share.
        .target(name: "FuzzSupport", dependencies: [.product(name: "AWS", package: switchyard)], swiftSettings: swift6),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.modules.map { .product(name: $0, package: switchyard) },
            // lld links the sanitizer runtime without gold's "cannot export local symbol" warnings.
            swiftSettings: swift6 + [.unsafeFlags(["-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        )
    }
)
