import Foundation

/// CloudFront's distribution API (version 2020-05-31), for reading and rewriting origin groups.
///
/// Configurations travel as lossless `XMLElement` trees: Switchyard changes only origin-group
/// member order and writes every other element back exactly as CloudFront gave it, so fields this
/// client does not model (and fields CloudFront adds later) survive an update.
public struct CloudFrontClient: Sendable {
    /// The API version in every request path.
    public static let apiVersion = "2020-05-31"
    /// The XML namespace of CloudFront documents.
    public static let namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
    /// CloudFront is global; its API is called (and signed) in us-east-1.
    public static let region = "us-east-1"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    /// A client sending through `sender`.
    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// Reads a distribution's configuration and the ETag that a later update must present.
    /// - Throws: `AWSError` (`NoSuchDistribution`, `AccessDenied`, …; `.malformedResponse` without a body or ETag).
    public func getDistributionConfig(id: String) async throws -> DistributionConfigSnapshot {
        let operation = AWSOperation(
            service: .cloudfront, region: Self.region, name: "GetDistributionConfig",
            path: "/\(Self.apiVersion)/distribution/\(QueryParameters.percentEncode(id))/config", idempotent: true)
        let response = try await sender.send(operation)
        let xml = try XMLResponse(response, for: operation)
        try xml.expectRoot("DistributionConfig")
        guard let etag = response.header("ETag"), !etag.isEmpty else { throw xml.malformed("missing ETag header") }
        return DistributionConfigSnapshot(config: xml.root, etag: etag)
    }

    /// Replaces a distribution's configuration, if it is still at the version `ifMatch` names.
    ///
    /// The body is `config` serialized as is (a missing `xmlns` is added).
    /// - Parameters:
    ///   - config: a `DistributionConfig` element, normally one read by `getDistributionConfig` and edited.
    ///   - ifMatch: the ETag returned with the configuration that was edited.
    /// - Returns: the distribution after the update, with its new ETag and status (`InProgress`).
    /// - Throws: `AWSError`; `PreconditionFailed` (412) or `InvalidIfMatchVersion` (see `AWSError.isStaleETag`)
    ///   mean the distribution changed since it was read: re-read, re-diff, retry.
    public func updateDistribution(id: String, config: XMLElement, ifMatch: String) async throws -> CloudFrontDistribution {
        var document = config
        guard document.localName == "DistributionConfig" else {
            throw AWSError(
                kind: .invalidRequest, service: AWSService.cloudfront.rawValue, operation: "UpdateDistribution",
                code: "InvalidDistributionConfig", message: "expected a <DistributionConfig> element, got <\(config.name)>")
        }
        if document.attribute(named: "xmlns") == nil {
            document.attributes.insert(XMLAttribute(name: "xmlns", value: Self.namespace), at: 0)
        }
        let operation = AWSOperation(
            service: .cloudfront, region: Self.region, name: "UpdateDistribution", method: "PUT",
            path: "/\(Self.apiVersion)/distribution/\(QueryParameters.percentEncode(id))/config",
            headers: [("If-Match", ifMatch)], body: document.serializedBytes(declaration: true), idempotent: false)
        return try await distribution(from: sender.send(operation), for: operation)
    }

    /// Reads a distribution's deployment status, ETag and origin groups.
    /// - Throws: `AWSError` (`NoSuchDistribution`, `AccessDenied`, `.malformedResponse`).
    public func getDistribution(id: String) async throws -> CloudFrontDistribution {
        let operation = AWSOperation(
            service: .cloudfront, region: Self.region, name: "GetDistribution",
            path: "/\(Self.apiVersion)/distribution/\(QueryParameters.percentEncode(id))", idempotent: true)
        return try await distribution(from: sender.send(operation), for: operation)
    }

    private func distribution(from response: HTTPResponse, for operation: AWSOperation) throws -> CloudFrontDistribution {
        let xml = try XMLResponse(response, for: operation)
        try xml.expectRoot("Distribution")
        guard let etag = response.header("ETag"), !etag.isEmpty else { throw xml.malformed("missing ETag header") }
        let config = try xml.required("DistributionConfig", in: xml.root)
        let groups: [OriginGroup]
        do {
            groups = try OriginGroups.read(from: config)
        } catch {
            throw xml.malformed(error.description)
        }
        return CloudFrontDistribution(
            id: try xml.requiredText("Id", in: xml.root), arn: xml.text("ARN", in: xml.root),
            status: try xml.requiredText("Status", in: xml.root), domainName: xml.text("DomainName", in: xml.root),
            lastModifiedTime: try xml.date("LastModifiedTime", in: xml.root), etag: etag, originGroups: groups,
            defaultTargetOriginID: xml.text("DefaultCacheBehavior/TargetOriginId", in: config))
    }
}

/// A distribution configuration as read, with the ETag an update must present.
public struct DistributionConfigSnapshot: Sendable, Hashable {
    /// The `DistributionConfig` element, lossless.
    public var config: XMLElement
    /// The version of `config`, for `If-Match`.
    public var etag: String

    /// A snapshot of `config` at version `etag`.
    public init(config: XMLElement, etag: String) {
        self.config = config
        self.etag = etag
    }
}

/// What Switchyard needs to know about a distribution after reading or updating it.
public struct CloudFrontDistribution: Sendable, Hashable {
    /// The distribution id, e.g. `EDFDVBD6EXAMPLE`.
    public var id: String
    /// The distribution ARN.
    public var arn: String?
    /// `InProgress` while a change propagates, `Deployed` after; other values are kept as sent.
    public var status: String
    /// The `*.cloudfront.net` domain name.
    public var domainName: String?
    /// When the configuration last changed.
    public var lastModifiedTime: Date?
    /// The current version, for the next `If-Match`.
    public var etag: String
    /// The origin groups in the current configuration.
    public var originGroups: [OriginGroup]
    /// The origin (or origin group) the default cache behavior sends requests to.
    public var defaultTargetOriginID: String?

    /// A distribution with these values.
    public init(
        id: String, arn: String? = nil, status: String, domainName: String? = nil, lastModifiedTime: Date? = nil,
        etag: String, originGroups: [OriginGroup], defaultTargetOriginID: String? = nil
    ) {
        self.defaultTargetOriginID = defaultTargetOriginID
        self.id = id
        self.arn = arn
        self.status = status
        self.domainName = domainName
        self.lastModifiedTime = lastModifiedTime
        self.etag = etag
        self.originGroups = originGroups
    }

    /// Whether the last change has reached every edge location.
    public var isDeployed: Bool { status == "Deployed" }
}

extension AWSError {
    /// Whether the error means an `If-Match` ETag is out of date: re-read, re-diff, retry.
    public var isStaleETag: Bool {
        kind == .service && (code == "PreconditionFailed" || code == "InvalidIfMatchVersion")
    }
}
