/// One attribute of an XML element, as written (a namespace declaration is an attribute too).
public struct XMLAttribute: Sendable, Hashable {
    /// The qualified name, e.g. `xmlns` or `xsi:type`.
    public var name: String
    /// The value with references resolved.
    public var value: String

    /// An attribute with this name and value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A child of an element: another element or a run of character data.
public enum XMLNode: Sendable, Hashable {
    /// A child element.
    case element(XMLElement)
    /// Character data with references resolved; CDATA sections and text around comments merge into one run.
    case text(String)
}

/// A lossless XML element tree: name, attributes in document order, and children
/// (elements and text, whitespace included) in document order.
///
/// Serializing an unchanged parsed tree gives back a document that parses to the same tree,
/// so a document read from AWS can be edited in one place and written back with every other
/// byte of meaning intact.
public struct XMLElement: Sendable, Hashable {
    /// The qualified name, e.g. `DistributionConfig`.
    public var name: String
    /// Attributes in document order.
    public var attributes: [XMLAttribute]
    /// Child elements and text runs in document order.
    public var children: [XMLNode]

    /// An element with the given name, attributes and children.
    public init(name: String, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// An element holding only text, e.g. `<Quantity>2</Quantity>`.
    public init(name: String, text: String) {
        self.init(name: name, children: text.isEmpty ? [] : [.text(text)])
    }

    /// The part of the name after any namespace prefix.
    public var localName: String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// The child elements, without the text between them.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    /// The first child element with this name (compared with `localName` when `name` has no prefix).
    public func child(named name: String) -> XMLElement? {
        for case .element(let e) in children where e.matches(name) { return e }
        return nil
    }

    /// Every child element with this name, in document order.
    public func children(named name: String) -> [XMLElement] {
        children.compactMap { if case .element(let e) = $0, e.matches(name) { e } else { nil } }
    }

    /// The concatenated text children of this element (not of its descendants).
    public var text: String {
        var s = ""
        for case .text(let t) in children { s += t }
        return s
    }

    /// The value of an attribute, or nil.
    public func attribute(named name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The descendant reached by following first children with these names, e.g. `["Error", "Code"]`.
    public func element(at path: [String]) -> XMLElement? {
        var current = self
        for step in path {
            guard let next = current.child(named: step) else { return nil }
            current = next
        }
        return current
    }

    /// The descendant at a slash-separated path, e.g. `"OriginGroups/Items"`.
    public func element(at path: String) -> XMLElement? {
        element(at: path.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
    }

    /// The text of the descendant at a slash-separated path, or nil when there is no such element.
    public func text(at path: String) -> String? {
        element(at: path)?.text
    }

    private func matches(_ wanted: String) -> Bool {
        name == wanted || (!wanted.contains(":") && localName == wanted)
    }
}
