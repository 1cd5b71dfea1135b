// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "PayHub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "payhub", targets: ["payhub"]),
        .executable(name: "payhub-bench", targets: ["payhub-bench"]),
        .library(name: "PayHubCore", targets: ["PayHubCore"]),
        .library(name: "PayHubConnectors", targets: ["PayHubConnectors"]),
        .library(name: "PayHubDocuments", targets: ["PayHubDocuments"]),
        .library(name: "PayHubServer", targets: ["PayHubServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Pure domain: money, the payment state machine, refunds. No I/O.
        .target(name: "PayHubCore"),
        // One folder per provider behind the PaymentConnector protocol.
        .target(
            name: "PayHubConnectors",
            dependencies: [
                "PayHubCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A small SMTP client on SwiftNIO and the RFC 5322 message renderer (no SMTP package resolves here).
        .target(
            name: "PayHubMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Renders finalised invoices and credit notes: PDF with an embedded font, UBL 2.1 (Peppol BIS Billing 3.0)
        // and FatturaPA 1.2. Pure: no I/O, no Vapor.
        .target(name: "PayHubDocuments", dependencies: ["PayHubCore"], resources: [.copy("Fonts")]),
        // The one SQLite setting Swift cannot reach (a C function with variable arguments).
        .target(name: "CSQLitePlanner"),
        // HTTP API, persistence, background workers, HTML.
        .target(
            name: "PayHubServer",
            dependencies: [
                "CSQLitePlanner",
                "PayHubCore",
                "PayHubConnectors",
                "PayHubDocuments",
                "PayHubMail",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "payhub",
            dependencies: [
                "PayHubServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "payhub-bench",
            dependencies: [
                "PayHubCore",
                "PayHubDocuments",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PayHubCoreTests", dependencies: ["PayHubCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PayHubConnectorsTests", dependencies: ["PayHubConnectors"]),
        .testTarget(name: "PayHubDocumentsTests", dependencies: ["PayHubDocuments"]),
        .testTarget(
            name: "PayHubMailTests",
            dependencies: [
                "PayHubMail",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["smtp_sink.py"]
        ),
        .testTarget(
            name: "PayHubServerTests",
            dependencies: [
                "PayHubServer",
                "PayHubMail",
                .product(name: "XCTVapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
