// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "Basics", targets: ["Basics"]),
        .library(name: "DesiredState", targets: ["DesiredState"]),
        .library(name: "GitSource", targets: ["GitSource"]),
        .library(name: "AWS", targets: ["AWS"]),
        .library(name: "Reconciler", targets: ["Reconciler"]),
        .library(name: "Journaling", targets: ["Journaling"]),
        .library(name: "Presentation", targets: ["Presentation"]),
        .library(name: "SwitchyardService", targets: ["SwitchyardService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // System libraries, each with a header of thin, non-variadic wrappers.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // glibc's malloc controls (<malloc.h>), for the daemon's idle footprint.
        .systemLibrary(name: "CMalloc"),

        // The small pieces every module shares (a lock, hex, time formats and limits, running off the pool, redaction):
        // it imports nothing of ours, so a module imports AWS only to talk to AWS.
        .target(name: "Basics", swiftSettings: strict),
        .target(
            name: "DesiredState",
            dependencies: ["Basics", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "GitSource",
            dependencies: [
                "Basics", "CGit2",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA signature checks for SSH-signed commits (rsa-sha2-256/512).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AWS",
            dependencies: [
                "Basics", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The journal (SQLite) and the state folder: what happened, read by the pass and presented above it.
        .target(
            name: "Journaling",
            dependencies: ["Basics", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The engine (observe, plan by phase, apply), the resource kinds (Kinds/<Kind>/), and beside it the one reconcile
        // pass (load, commit policy, safety, observe, plan, apply, journal) and the hosts' coordination.
        .target(
            name: "Reconciler",
            dependencies: [
                "Basics", "DesiredState", "GitSource", "AWS", "Journaling",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Every document and renderer: plan text, markdown and JSON, the failover timeline and report, the IAM policy,
        // the console's page and the HTML report (Mustache templates compiled into the binary).
        .target(
            name: "Presentation",
            dependencies: [
                "Basics", "DesiredState", "GitSource", "Journaling", "Reconciler",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        // The daemon: the loop around the pass, HTTP endpoints (the console among them), webhook, metrics.
        .target(
            name: "SwitchyardService",
            dependencies: [
                "Basics", "DesiredState", "GitSource", "AWS", "Journaling", "Reconciler", "Presentation", "CMalloc",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "Basics", "DesiredState", "GitSource", "AWS", "Journaling", "Reconciler", "Presentation", "SwitchyardService",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            // With `--static-swift-stdlib` (the documented build) the toolchain exports every symbol of the executable
            // (38,000 of them); nothing looks them up, but each shared library's symbol lookups then page in the tables
            // (about 2 MB resident for the life of `run`; docs/PERFORMANCE.md).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]
        ),

        // Test helpers shared by the test targets: real Git repositories, the CLI runner, the emulator.
        .target(name: "SwitchyardTestSupport", path: "Tests/SwitchyardTestSupport", swiftSettings: strict),

        .testTarget(name: "DesiredStateTests", dependencies: ["DesiredState", "Reconciler", "SwitchyardTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "GitSourceTests", dependencies: ["Basics", "GitSource", "DesiredState", "Journaling", "Reconciler", "SwitchyardTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "ReconcilerTests", dependencies: ["Basics", "Reconciler", "Presentation", "AWS", "DesiredState"], swiftSettings: strict),
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: ["switchyard", "SwitchyardTestSupport", "Basics", "DesiredState", "GitSource", "Journaling", "Presentation", "Reconciler"],
            swiftSettings: strict),
        .testTarget(
            name: "SwitchyardServiceTests",
            dependencies: [
                "SwitchyardService", "Presentation", "Journaling", "Basics", "SwitchyardTestSupport", "Reconciler", "GitSource", "DesiredState",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Fuzz findings, read in place through #filePath.
            exclude: ["Regressions"],
            swiftSettings: strict
        ),
        // Crash matrix and fault tests: the built CLI through the fault proxy (SWITCHYARD_PROFILE=long for the full run).
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["switchyard", "SwitchyardTestSupport", "Journaling", "Reconciler", "Basics"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AWSTests",
            dependencies: ["AWS", "Basics", "SwitchyardTestSupport", .product(name: "Logging", package: "swift-log")],
            // Read in place through #filePath, not bundled.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        // Every AWS client call against the emulator (and the fault proxy in front of it).
        .testTarget(
            name: "AWSEmulatorTests",
            dependencies: ["AWS", "Basics", "SwitchyardTestSupport", .product(name: "Logging", package: "swift-log")],
            // Python helpers run with the emulator, not compiled.
            exclude: ["Scripts"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
