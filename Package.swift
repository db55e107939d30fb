// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TenantPilot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tenantpilot", targets: ["tenantpilot"]),
        .executable(name: "tenantpilot-graph-simulator", targets: ["tenantpilot-graph-simulator"]),
        .library(name: "TenantPilotCore", targets: ["TenantPilotCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // Certificate credentials (SPEC §14): the certificate's subject, thumbprint and expiry.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        // The PostgreSQL store (SPEC §15): the wire protocol, and TLS per `sslmode` through NIOSSL.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // All behaviour lives here; the executables are thin doorways.
        .target(
            name: "TenantPilotCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Registry/policy-types.json")]
        ),
        .executableTarget(
            name: "tenantpilot",
            dependencies: [
                "TenantPilotCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Graph simulator: a library that tests start on an ephemeral port,
        // and an executable for the demo and the benchmarks.
        .target(
            name: "GraphSimulator",
            dependencies: [
                "TenantPilotCore",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "tenantpilot-graph-simulator",
            dependencies: [
                "GraphSimulator",
                "TenantPilotCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks behind `scripts/bench`: one subcommand per benchmark, built in release.
        .executableTarget(
            name: "tenantpilot-bench",
            dependencies: [
                "TenantPilotCore",
                "GraphSimulator",
                "TenantPilotTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The PostgreSQL server of the tests and benchmarks: a database each, psql to inspect it.
        .target(
            name: "TenantPilotTestSupport",
            path: "Tests/TenantPilotTestSupport"
        ),
        .testTarget(
            name: "TenantPilotCoreTests",
            dependencies: ["TenantPilotCore", "GraphSimulator", "TenantPilotTestSupport"]
        ),
        .testTarget(
            name: "TenantPilotEndToEndTests",
            dependencies: ["TenantPilotCore", "GraphSimulator", "TenantPilotTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
