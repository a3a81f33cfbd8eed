/// An origin group of a distribution: CloudFront sends requests to the first member and fails
/// over to the second on the listed status codes.
public struct OriginGroup: Sendable, Hashable {
    /// The origin group id, the `TargetOriginId` of cache behaviors that use it.
    public var id: String
    /// The members' origin ids, primary first.
    public var memberOriginIDs: [String]
    /// The status codes that make CloudFront try the next member.
    public var failoverStatusCodes: [Int]

    /// An origin group with these values.
    public init(id: String, memberOriginIDs: [String], failoverStatusCodes: [Int]) {
        self.id = id
        self.memberOriginIDs = memberOriginIDs
        self.failoverStatusCodes = failoverStatusCodes
    }

    /// The origin CloudFront tries first.
    public var primaryOriginID: String? { memberOriginIDs.first }
}

/// Why an origin-group read or edit could not be done.
public struct OriginGroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Reason: Sendable, Equatable {
        /// The element given is not a `DistributionConfig`.
        case notADistributionConfig(String)
        /// No origin group has this id.
        case originGroupNotFound(String)
        /// The origin is not a member of the group.
        case originNotInGroup(originID: String, groupID: String)
        /// A required element is missing or unreadable.
        case malformed(String)
    }

    /// The kind of failure.
    public var reason: Reason

    /// An error for this reason.
    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .notADistributionConfig(let name): "expected <DistributionConfig>, got <\(name)>"
        case .originGroupNotFound(let id): "the distribution has no origin group \(id)"
        case .originNotInGroup(let origin, let group): "origin \(origin) is not a member of origin group \(group)"
        case .malformed(let what): "malformed origin group: \(what)"
        }
    }
}

/// Pure functions over a `DistributionConfig` tree: read origin groups, and reorder one group's members.
public enum OriginGroups {
    /// The origin groups of `config`, members in document order; empty when there are none.
    /// - Throws: `OriginGroupError` when `config` is not a `DistributionConfig` or a group lacks its `Id`,
    ///   a member its `OriginId`, or a status code is not a number.
    public static func read(from config: XMLElement) throws(OriginGroupError) -> [OriginGroup] {
        guard config.localName == "DistributionConfig" else { throw OriginGroupError(.notADistributionConfig(config.name)) }
        var groups: [OriginGroup] = []
        for group in config.element(at: "OriginGroups/Items")?.children(named: "OriginGroup") ?? [] {
            guard let id = group.text(at: "Id").map(trimmed), !id.isEmpty else { throw OriginGroupError(.malformed("OriginGroup without Id")) }
            var members: [String] = []
            for member in group.element(at: "Members/Items")?.children(named: "OriginGroupMember") ?? [] {
                guard let originID = member.text(at: "OriginId").map(trimmed), !originID.isEmpty else {
                    throw OriginGroupError(.malformed("a member of \(id) has no OriginId"))
                }
                members.append(originID)
            }
            var codes: [Int] = []
            for code in group.element(at: "FailoverCriteria/StatusCodes/Items")?.children(named: "StatusCode") ?? [] {
                guard let value = Int(trimmed(code.text)) else { throw OriginGroupError(.malformed("status code \(code.text) in \(id)")) }
                codes.append(value)
            }
            groups.append(OriginGroup(id: id, memberOriginIDs: members, failoverStatusCodes: codes))
        }
        return groups
    }

    /// A copy of `config` in which origin group `groupID` lists `originID` first, the other members
    /// keeping their order.
    ///
    /// Lossless: members are moved between the slots members already occupy, so every other
    /// element, attribute and whitespace run stays where it was; when `originID` is already first
    /// the result equals `config`.
    /// - Throws: `OriginGroupError` when there is no such group or the origin is not a member.
    public static func reordering(
        group groupID: String, primary originID: String, in config: XMLElement
    ) throws(OriginGroupError) -> XMLElement {
        guard config.localName == "DistributionConfig" else { throw OriginGroupError(.notADistributionConfig(config.name)) }
        var result = config
        var groupFound = false
        var memberFound = false
        result.updateFirstChild(named: "OriginGroups") { groups in
            groups.updateFirstChild(named: "Items") { items in
                groupFound = items.updateFirstChild(
                    named: "OriginGroup", where: { $0.text(at: "Id").map(trimmed) == groupID }
                ) { group in
                    group.updateFirstChild(named: "Members") { members in
                        members.updateFirstChild(named: "Items") { items in
                            memberFound = items.moveToFront(named: "OriginGroupMember") {
                                $0.text(at: "OriginId").map(trimmed) == originID
                            }
                        }
                    }
                }
            }
        }
        guard groupFound else { throw OriginGroupError(.originGroupNotFound(groupID)) }
        guard memberFound else { throw OriginGroupError(.originNotInGroup(originID: originID, groupID: groupID)) }
        return result
    }

    private static func trimmed(_ s: String) -> String {
        var scalars = Substring(s).unicodeScalars
        while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

extension XMLElement {
    /// Applies `update` to the first child element with this name that satisfies `predicate`; false if none.
    @discardableResult
    mutating func updateFirstChild(
        named name: String, where predicate: (XMLElement) -> Bool = { _ in true }, _ update: (inout XMLElement) -> Void
    ) -> Bool {
        for i in children.indices {
            guard case .element(var child) = children[i], child.name == name, predicate(child) else { continue }
            update(&child)
            children[i] = .element(child)
            return true
        }
        return false
    }

    /// Moves the first child element named `name` that satisfies `predicate` before the others of
    /// that name, reusing their slots so text between them stays put; false if none matches.
    mutating func moveToFront(named name: String, where predicate: (XMLElement) -> Bool) -> Bool {
        let slots = children.indices.filter { if case .element(let e) = children[$0], e.name == name { true } else { false } }
        let elements = slots.compactMap { if case .element(let e) = children[$0] { e } else { nil } }
        guard let chosen = elements.firstIndex(where: predicate) else { return false }
        var reordered = elements
        reordered.insert(reordered.remove(at: chosen), at: 0)
        for (slot, element) in zip(slots, reordered) { children[slot] = .element(element) }
        return true
    }
}
