import Foundation

/// Route 53's record API (REST-XML, version 2013-04-01): a control plane in us-east-1.
///
/// Record sets travel as lossless `XMLElement` trees, as CloudFront configurations do: Switchyard changes only a
/// record's `Failover` and writes every other element (TTL, values or alias target, health check, fields added later)
/// back exactly as Route 53 gave it.
public struct Route53Client: Sendable {
    public static let apiVersion = "2013-04-01"
    public static let namespace = "https://route53.amazonaws.com/doc/2013-04-01/"
    /// Route 53 is global; its API is called (and signed) in us-east-1.
    public static let region = "us-east-1"

    public let sender: any AWSRequestSending

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    /// The zone id as the API paths want it: `Z123`, from `Z123` or `/hostedzone/Z123`.
    public static func bareZoneID(_ id: String) -> String {
        id.hasPrefix("/hostedzone/") ? String(id.dropFirst("/hostedzone/".count)) : id
    }

    /// Every record set of `name` (any type) in the zone, following `IsTruncated` pages; starts at `name`, so only the
    /// pages that hold it are read.
    /// - Throws: `AWSError` (`NoSuchHostedZone`, `AccessDenied`, …).
    public func recordSets(zone: String, name: String) async throws -> [RecordSet] {
        let wanted = RecordSet.canonicalName(name)
        var start: (name: String, type: String?, identifier: String?)? = (name, nil, nil)
        var found: [RecordSet] = []
        var pages = 0
        while let from = start {
            pages += 1
            var query: [(name: String, value: String)] = [("name", from.name)]
            if let type = from.type { query.append(("type", type)) }
            if let identifier = from.identifier { query.append(("identifier", identifier)) }
            let operation = AWSOperation(
                service: .route53, region: Self.region, name: "ListResourceRecordSets",
                path: "/\(Self.apiVersion)/hostedzone/\(QueryParameters.percentEncode(Self.bareZoneID(zone)))/rrset", query: query,
                idempotent: true)
            let xml = try XMLResponse(try await sender.send(operation), for: operation)
            try xml.expectRoot("ListResourceRecordSetsResponse")
            let sets = try xml.required("ResourceRecordSets", in: xml.root).children(named: "ResourceRecordSet")
            var passed = false
            for element in sets {
                let set = try RecordSet(element, xml)
                if set.canonicalName == wanted { found.append(set) } else { passed = true }
            }
            // The listing starts at the name and goes on in Route 53's order: a record of another name means none of
            // this one follows.
            guard try xml.bool("IsTruncated", in: xml.root) == true, !passed, pages < 100,
                let next = xml.text("NextRecordName", in: xml.root), RecordSet.canonicalName(next) == wanted
            else { break }
            start = (next, xml.text("NextRecordType", in: xml.root), xml.text("NextRecordIdentifier", in: xml.root))
        }
        return found
    }

    /// UPSERTs `sets` in one change batch (atomic: all or none). Returns the change's id and status (`PENDING`,
    /// `INSYNC`).
    /// - Throws: `AWSError` (`InvalidChangeBatch`, `NoSuchHostedZone`, `PriorRequestNotComplete`, …).
    public func upsert(zone: String, _ sets: [RecordSet], comment: String) async throws -> ChangeInfo {
        let changes = sets.map { set in
            XMLNode.element(
                XMLElement(name: "Change", children: [.element(XMLElement(name: "Action", text: "UPSERT")), .element(set.element)]))
        }
        let document = XMLElement(
            name: "ChangeResourceRecordSetsRequest", attributes: [XMLAttribute(name: "xmlns", value: Self.namespace)],
            children: [
                .element(
                    XMLElement(
                        name: "ChangeBatch",
                        children: [.element(XMLElement(name: "Comment", text: comment)), .element(XMLElement(name: "Changes", children: changes))]))
            ])
        let operation = AWSOperation(
            service: .route53, region: Self.region, name: "ChangeResourceRecordSets", method: "POST",
            path: "/\(Self.apiVersion)/hostedzone/\(QueryParameters.percentEncode(Self.bareZoneID(zone)))/rrset/",
            headers: [("Content-Type", "application/xml")], body: document.serializedBytes(declaration: true), idempotent: false)
        let xml = try XMLResponse(try await sender.send(operation), for: operation)
        try xml.expectRoot("ChangeResourceRecordSetsResponse")
        return try ChangeInfo(xml.required("ChangeInfo", in: xml.root), xml)
    }

    /// A change's status.
    public func change(id: String) async throws -> ChangeInfo {
        let bare = id.hasPrefix("/change/") ? String(id.dropFirst("/change/".count)) : id
        let operation = AWSOperation(
            service: .route53, region: Self.region, name: "GetChange", path: "/\(Self.apiVersion)/change/\(QueryParameters.percentEncode(bare))",
            idempotent: true)
        let xml = try XMLResponse(try await sender.send(operation), for: operation)
        try xml.expectRoot("GetChangeResponse")
        return try ChangeInfo(xml.required("ChangeInfo", in: xml.root), xml)
    }
}

/// One resource record set as Route 53 listed it, kept whole.
public struct RecordSet: Sendable, Hashable {
    /// The `ResourceRecordSet` element, lossless.
    public var element: XMLElement
    public var name: String
    public var type: String
    public var setIdentifier: String?
    /// `PRIMARY`, `SECONDARY`, or nil for a record without failover routing.
    public var failover: String?

    init(_ element: XMLElement, _ xml: XMLResponse) throws(AWSError) {
        self.element = element
        name = try xml.requiredText("Name", in: element)
        type = try xml.requiredText("Type", in: element)
        setIdentifier = xml.text("SetIdentifier", in: element)
        failover = xml.text("Failover", in: element)
    }

    /// The name without its trailing dot, lowercased: how two spellings of one name compare.
    public var canonicalName: String { Self.canonicalName(name) }

    public static func canonicalName(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The same record with `Failover` set to `value` and every other element as read.
    public func with(failover value: String) -> RecordSet {
        var copy = self
        copy.failover = value
        copy.element.children = element.children.map { node in
            if case .element(let child) = node, child.localName == "Failover" { return .element(XMLElement(name: child.name, text: value)) }
            return node
        }
        return copy
    }
}

/// A submitted change batch.
public struct ChangeInfo: Sendable, Hashable {
    public var id: String
    /// `PENDING` until every Route 53 name server has it, then `INSYNC`.
    public var status: String

    init(_ element: XMLElement, _ xml: XMLResponse) throws(AWSError) {
        id = try xml.requiredText("Id", in: element)
        status = try xml.requiredText("Status", in: element)
    }
}
