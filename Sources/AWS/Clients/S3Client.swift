import Crypto
import Foundation

/// S3 bucket-level calls Switchyard needs: public access block, existence, website configuration.
///
/// How a bucket call is addressed: every operation sets `AWSOperation.bucket` and a `path`
/// relative to the bucket (`/` for bucket-level calls), with the subresource as a query
/// parameter whose value is empty (`publicAccessBlock=""`, `website=""`). The endpoint resolver
/// either puts the bucket in the host (virtual-hosted style, `https://<bucket>.s3.<region>.amazonaws.com/?publicAccessBlock`)
/// or prefixes the path with `/<bucket>` (path style on an overridden endpoint, `http://host/<bucket>?publicAccessBlock`,
/// dropping the lone `/`). The region is the bucket's own region.
public struct S3Client: Sendable {
    /// The XML namespace of S3 documents.
    public static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// Sends the operations this client builds.
    public let sender: any AWSRequestSending

    /// A client sending through `sender`.
    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The bucket's public access block, or nil when it has none (`NoSuchPublicAccessBlockConfiguration`).
    /// - Throws: `AWSError` (`NoSuchBucket`, `AccessDenied`, `.malformedResponse`).
    public func getPublicAccessBlock(bucket: String, region: String) async throws -> PublicAccessBlock? {
        try await PublicAccessBlock.get(
            Self.bucketOperation("GetPublicAccessBlock", bucket: bucket, region: region, subresource: "publicAccessBlock"), through: sender)
    }

    /// Sets the bucket's public access block (all four flags).
    ///
    /// The model requires a request checksum (`httpChecksum.requestChecksumRequired`); this sends
    /// `Content-MD5`, which S3 and moto accept for it.
    /// - Throws: `AWSError`.
    public func putPublicAccessBlock(_ configuration: PublicAccessBlock, bucket: String, region: String) async throws {
        let body = configuration.xml.serializedBytes()
        let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
        let operation = Self.bucketOperation(
            "PutPublicAccessBlock", method: "PUT", bucket: bucket, region: region, subresource: "publicAccessBlock",
            headers: [("Content-MD5", md5)], body: body)
        _ = try await sender.send(operation)
    }

    /// Removes the bucket's public access block.
    /// - Throws: `AWSError`.
    public func deletePublicAccessBlock(bucket: String, region: String) async throws {
        let operation = Self.bucketOperation(
            "DeletePublicAccessBlock", method: "DELETE", bucket: bucket, region: region, subresource: "publicAccessBlock")
        _ = try await sender.send(operation)
    }

    /// Whether the bucket exists: true on 200, false on 404 (HEAD answers carry no body, so the
    /// decoder names the code from the status).
    /// - Throws: `AWSError` for anything else, e.g. 403 (it exists but is not yours) or 301 (another region).
    public func headBucket(bucket: String, region: String) async throws -> Bool {
        let operation = Self.bucketOperation("HeadBucket", method: "HEAD", bucket: bucket, region: region, subresource: nil)
        do {
            _ = try await sender.send(operation)
            return true
        } catch let error as AWSError where error.kind == .service && error.httpStatus == 404 {
            return false
        }
    }

    /// The bucket's website configuration, or nil when it has none (`NoSuchWebsiteConfiguration`).
    /// - Throws: `AWSError` (`NoSuchBucket`, `AccessDenied`, `.malformedResponse`).
    public func getBucketWebsite(bucket: String, region: String) async throws -> BucketWebsite? {
        let operation = Self.bucketOperation("GetBucketWebsite", bucket: bucket, region: region, subresource: "website")
        let response: HTTPResponse
        do {
            response = try await sender.send(operation)
        } catch let error as AWSError where error.kind == .service && error.code == "NoSuchWebsiteConfiguration" {
            return nil
        }
        let xml = try XMLResponse(response, for: operation)
        try xml.expectRoot("WebsiteConfiguration")
        let root = xml.root
        var redirect: BucketWebsite.Redirect?
        if let all = root.child(named: "RedirectAllRequestsTo") {
            redirect = BucketWebsite.Redirect(hostName: try xml.requiredText("HostName", in: all), protocol: xml.text("Protocol", in: all))
        }
        var rules: [BucketWebsite.RoutingRule] = []
        for rule in root.element(at: "RoutingRules")?.children(named: "RoutingRule") ?? [] {
            let r = try xml.required("Redirect", in: rule)
            rules.append(
                BucketWebsite.RoutingRule(
                    httpErrorCodeReturnedEquals: xml.text("Condition/HttpErrorCodeReturnedEquals", in: rule),
                    keyPrefixEquals: xml.text("Condition/KeyPrefixEquals", in: rule),
                    redirectHostName: xml.text("HostName", in: r), redirectHttpCode: xml.text("HttpRedirectCode", in: r),
                    redirectProtocol: xml.text("Protocol", in: r), replaceKeyPrefixWith: xml.text("ReplaceKeyPrefixWith", in: r),
                    replaceKeyWith: xml.text("ReplaceKeyWith", in: r)))
        }
        return BucketWebsite(
            indexDocumentSuffix: xml.text("IndexDocument/Suffix", in: root), errorDocumentKey: xml.text("ErrorDocument/Key", in: root),
            redirectAllRequestsTo: redirect, routingRules: rules)
    }

    /// The bucket's tags (empty when it has none: `NoSuchTagSet`).
    /// - Throws: `AWSError`.
    public func getBucketTagging(bucket: String, region: String) async throws -> [String: String] {
        let operation = Self.bucketOperation("GetBucketTagging", bucket: bucket, region: region, subresource: "tagging")
        let response: HTTPResponse
        do {
            response = try await sender.send(operation)
        } catch let error as AWSError where error.kind == .service && error.code == "NoSuchTagSet" {
            return [:]
        }
        let xml = try XMLResponse(response, for: operation)
        try xml.expectRoot("Tagging")
        var tags: [String: String] = [:]
        for tag in xml.root.element(at: "TagSet")?.children(named: "Tag") ?? [] {
            tags[try xml.requiredText("Key", in: tag)] = xml.text("Value", in: tag) ?? ""
        }
        return tags
    }

    /// Replaces the bucket's tags with `tags`; an empty set deletes them (`DeleteBucketTagging`).
    /// - Throws: `AWSError`.
    public func putBucketTagging(_ tags: [String: String], bucket: String, region: String) async throws {
        guard !tags.isEmpty else {
            _ = try await sender.send(
                Self.bucketOperation("DeleteBucketTagging", method: "DELETE", bucket: bucket, region: region, subresource: "tagging"))
            return
        }
        let set = tags.sorted { $0.key < $1.key }.map { key, value in
            XMLNode.element(
                XMLElement(name: "Tag", children: [.element(XMLElement(name: "Key", text: key)), .element(XMLElement(name: "Value", text: value))]))
        }
        let body = XMLElement(
            name: "Tagging", attributes: [XMLAttribute(name: "xmlns", value: Self.namespace)],
            children: [.element(XMLElement(name: "TagSet", children: set))]
        ).serializedBytes()
        let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
        _ = try await sender.send(
            Self.bucketOperation(
                "PutBucketTagging", method: "PUT", bucket: bucket, region: region, subresource: "tagging", headers: [("Content-MD5", md5)],
                body: body))
    }

    private static func bucketOperation(
        _ name: String, method: String = "GET", bucket: String, region: String, subresource: String?,
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) -> AWSOperation {
        AWSOperation(
            service: .s3, region: region, name: name, method: method, path: "/",
            query: subresource.map { [($0, "")] } ?? [], headers: headers, body: body, bucket: bucket,
            // Every call here reads, or sets a bucket subresource to an absolute value: repeating it is safe.
            idempotent: true)
    }
}

/// A bucket's S3 Block Public Access settings.
public struct PublicAccessBlock: Sendable, Hashable {
    /// Sends a `GetPublicAccessBlock` (a bucket's, or the account's through S3 Control): the configuration, nil when there
    /// is none (`NoSuchPublicAccessBlockConfiguration`).
    static func get(_ operation: AWSOperation, through sender: any AWSRequestSending) async throws -> PublicAccessBlock? {
        let response: HTTPResponse
        do {
            response = try await sender.send(operation)
        } catch let error as AWSError where error.kind == .service && error.code == "NoSuchPublicAccessBlockConfiguration" {
            return nil
        }
        let xml = try XMLResponse(response, for: operation)
        try xml.expectRoot("PublicAccessBlockConfiguration")
        return PublicAccessBlock(
            blockPublicAcls: try xml.bool("BlockPublicAcls", in: xml.root) ?? false,
            ignorePublicAcls: try xml.bool("IgnorePublicAcls", in: xml.root) ?? false,
            blockPublicPolicy: try xml.bool("BlockPublicPolicy", in: xml.root) ?? false,
            restrictPublicBuckets: try xml.bool("RestrictPublicBuckets", in: xml.root) ?? false)
    }

    /// Reject requests that add public ACLs.
    public var blockPublicAcls: Bool
    /// Ignore public ACLs already on the bucket and its objects.
    public var ignorePublicAcls: Bool
    /// Reject bucket policies that grant public access.
    public var blockPublicPolicy: Bool
    /// Restrict access to a bucket with a public policy to AWS principals.
    public var restrictPublicBuckets: Bool

    /// Settings with these four flags.
    public init(blockPublicAcls: Bool, ignorePublicAcls: Bool, blockPublicPolicy: Bool, restrictPublicBuckets: Bool) {
        self.blockPublicAcls = blockPublicAcls
        self.ignorePublicAcls = ignorePublicAcls
        self.blockPublicPolicy = blockPublicPolicy
        self.restrictPublicBuckets = restrictPublicBuckets
    }

    /// Every flag set: nothing in the bucket can be made public.
    public static let blockAll = PublicAccessBlock(
        blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true)
    /// No flag set.
    public static let blockNone = PublicAccessBlock(
        blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false)

    /// The four flags in the model's order as `1`/`0`, e.g. `1100` (a tag value: S3 tags allow no commas).
    public var bits: String {
        [blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets].map { $0 ? "1" : "0" }.joined()
    }

    /// The settings `bits` describes; nil for anything else.
    public init?(bits: String) {
        let flags = bits.map { $0 == "1" ? true : $0 == "0" ? false : nil }
        guard flags.count == 4, let a = flags[0], let b = flags[1], let c = flags[2], let d = flags[3] else { return nil }
        self.init(blockPublicAcls: a, ignorePublicAcls: b, blockPublicPolicy: c, restrictPublicBuckets: d)
    }

    /// The `PublicAccessBlockConfiguration` request document, flags in the model's order.
    public var xml: XMLElement {
        func flag(_ name: String, _ value: Bool) -> XMLNode { .element(XMLElement(name: name, text: value ? "true" : "false")) }
        return XMLElement(
            name: "PublicAccessBlockConfiguration", attributes: [XMLAttribute(name: "xmlns", value: S3Client.namespace)],
            children: [
                flag("BlockPublicAcls", blockPublicAcls), flag("IgnorePublicAcls", ignorePublicAcls),
                flag("BlockPublicPolicy", blockPublicPolicy), flag("RestrictPublicBuckets", restrictPublicBuckets),
            ])
    }
}

/// A bucket's static website configuration.
public struct BucketWebsite: Sendable, Hashable {
    /// Where every request is redirected, instead of serving content.
    public struct Redirect: Sendable, Hashable {
        /// The host to redirect to.
        public var hostName: String
        /// `http` or `https`, kept as sent.
        public var `protocol`: String?

        /// A redirect to `hostName`.
        public init(hostName: String, protocol: String? = nil) {
            self.hostName = hostName
            self.protocol = `protocol`
        }
    }

    /// A conditional redirect rule.
    public struct RoutingRule: Sendable, Hashable {
        /// Condition: the HTTP error code that triggers the rule.
        public var httpErrorCodeReturnedEquals: String?
        /// Condition: the key prefix that triggers the rule.
        public var keyPrefixEquals: String?
        /// Redirect: host name.
        public var redirectHostName: String?
        /// Redirect: HTTP status code.
        public var redirectHttpCode: String?
        /// Redirect: protocol.
        public var redirectProtocol: String?
        /// Redirect: replacement for the matched key prefix.
        public var replaceKeyPrefixWith: String?
        /// Redirect: replacement key.
        public var replaceKeyWith: String?

        /// A rule with these values.
        public init(
            httpErrorCodeReturnedEquals: String? = nil, keyPrefixEquals: String? = nil, redirectHostName: String? = nil,
            redirectHttpCode: String? = nil, redirectProtocol: String? = nil, replaceKeyPrefixWith: String? = nil,
            replaceKeyWith: String? = nil
        ) {
            self.httpErrorCodeReturnedEquals = httpErrorCodeReturnedEquals
            self.keyPrefixEquals = keyPrefixEquals
            self.redirectHostName = redirectHostName
            self.redirectHttpCode = redirectHttpCode
            self.redirectProtocol = redirectProtocol
            self.replaceKeyPrefixWith = replaceKeyPrefixWith
            self.replaceKeyWith = replaceKeyWith
        }
    }

    /// The index document suffix, e.g. `index.html`.
    public var indexDocumentSuffix: String?
    /// The error document key, e.g. `error.html`.
    public var errorDocumentKey: String?
    /// Set when the bucket redirects every request elsewhere.
    public var redirectAllRequestsTo: Redirect?
    /// Conditional redirects in order.
    public var routingRules: [RoutingRule]

    /// A website configuration with these values.
    public init(
        indexDocumentSuffix: String? = nil, errorDocumentKey: String? = nil, redirectAllRequestsTo: Redirect? = nil,
        routingRules: [RoutingRule] = []
    ) {
        self.indexDocumentSuffix = indexDocumentSuffix
        self.errorDocumentKey = errorDocumentKey
        self.redirectAllRequestsTo = redirectAllRequestsTo
        self.routingRules = routingRules
    }
}
