/// Why a document was rejected, and the byte offset where the parser noticed.
public struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of defect.
    public enum Reason: String, Sendable, Equatable {
        /// The bytes are not valid UTF-8.
        case invalidUTF8
        /// The document ended inside markup or with elements still open.
        case unexpectedEnd
        /// A byte that the grammar does not allow here.
        case unexpectedCharacter
        /// A control character that XML 1.0 forbids.
        case invalidCharacter
        /// An element or attribute name is missing or malformed.
        case invalidName
        /// An end tag does not match the open element.
        case mismatchedEndTag
        /// An entity or character reference is unknown or out of range.
        case invalidReference
        /// The same attribute appears twice on one element.
        case duplicateAttribute
        /// Elements nest deeper than the parser allows.
        case depthLimitExceeded
        /// A document type declaration; Switchyard never needs one and refuses entity expansion.
        case doctypeNotSupported
        /// Non-whitespace text before or after the root element.
        case textOutsideRoot
        /// The document has no root element.
        case noRootElement
        /// A second element after the root element.
        case multipleRoots
    }

    /// The kind of defect.
    public var reason: Reason
    /// The byte offset into the input where the defect was noticed.
    public var offset: Int

    /// An error of this kind at this offset.
    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "malformed XML: \(reason.rawValue) at byte \(offset)" }
}

extension XMLElement {
    /// How deep elements may nest unless the caller says otherwise; AWS documents stay far below it.
    public static let defaultMaxDepth = 64

    /// Parses a whole UTF-8 document and returns its root element.
    ///
    /// Strict and total: any input either yields the complete tree or throws; the XML
    /// declaration, processing instructions and comments are skipped; a DOCTYPE is refused.
    /// - Parameter maxDepth: the deepest element nesting accepted.
    /// - Throws: `XMLParseError` for any defect, truncation included.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(XMLParseError) -> XMLElement {
        var parser = XMLParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses a whole document given as a string.
    /// - Throws: `XMLParseError` for any defect.
    public static func parse(_ string: String, maxDepth: Int = defaultMaxDepth) throws(XMLParseError) -> XMLElement {
        try parse(Array(string.utf8), maxDepth: maxDepth)
    }
}

/// A single-pass parser with an explicit stack of open elements, so hostile nesting costs
/// memory bounded by `maxDepth`, never the call stack.
struct XMLParser {
    private struct OpenElement {
        var name: String
        var attributes: [XMLAttribute]
        var children: [XMLNode] = []
        var pendingText: [UInt8] = []

        mutating func flushText() {
            guard !pendingText.isEmpty else { return }
            children.append(.text(String(decoding: pendingText, as: UTF8.self)))
            pendingText.removeAll(keepingCapacity: true)
        }

        mutating func close() -> XMLElement {
            flushText()
            return XMLElement(name: name, attributes: attributes, children: children)
        }
    }

    private static let xmlDeclarationStart = Array("<?xml".utf8)
    private static let commentStart = Array("<!--".utf8)
    private static let piStart = Array("<?".utf8)
    private static let bangStart = Array("<!".utf8)
    private static let endTagStart = Array("</".utf8)
    private static let cdataStart = Array("<![CDATA[".utf8)
    private static let cdataEnd = Array("]]>".utf8)

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var index = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = max(1, maxDepth)
    }

    // MARK: Document

    mutating func parseDocument() throws(XMLParseError) -> XMLElement {
        // Validated once up front, so every slice cut at an ASCII delimiter decodes without repair.
        guard Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes else {
            throw XMLParseError(.invalidUTF8, at: 0)
        }
        if hasPrefix([0xEF, 0xBB, 0xBF]) { index = 3 }
        if hasPrefix(Self.xmlDeclarationStart), let after = byte(at: index + 5), isWhitespace(after) || after == UInt8(ascii: "?") {
            try skipProcessingInstruction()
        }
        try skipMisc()
        guard index < bytes.count else { throw XMLParseError(.noRootElement, at: index) }
        let root = try parseRootElement()
        try skipMisc()
        if index < bytes.count {
            throw XMLParseError(bytes[index] == UInt8(ascii: "<") ? .multipleRoots : .textOutsideRoot, at: index)
        }
        return root
    }

    /// Skips whitespace, comments and processing instructions outside the root element.
    private mutating func skipMisc() throws(XMLParseError) {
        while index < bytes.count {
            let c = bytes[index]
            if isWhitespace(c) {
                index += 1
            } else if hasPrefix(Self.commentStart) {
                try skipComment()
            } else if hasPrefix(Self.piStart) {
                try skipProcessingInstruction()
            } else if hasPrefix(Self.bangStart) {
                throw XMLParseError(.doctypeNotSupported, at: index)
            } else if c == UInt8(ascii: "<") {
                return
            } else {
                throw XMLParseError(.textOutsideRoot, at: index)
            }
        }
    }

    // MARK: Elements

    private mutating func parseRootElement() throws(XMLParseError) -> XMLElement {
        var stack: [OpenElement] = []
        // The loop starts at the root's start tag.
        while true {
            guard index < bytes.count else { throw XMLParseError(.unexpectedEnd, at: index) }
            let c = bytes[index]
            if c == UInt8(ascii: "<") {
                if hasPrefix(Self.endTagStart) {
                    let start = index
                    index += 2
                    let name = try parseName()
                    skipWhitespace()
                    try expect(UInt8(ascii: ">"))
                    guard var open = stack.popLast() else { throw XMLParseError(.unexpectedCharacter, at: start) }
                    guard open.name == name else { throw XMLParseError(.mismatchedEndTag, at: start) }
                    let element = open.close()
                    if stack.isEmpty { return element }
                    stack[stack.count - 1].children.append(.element(element))
                } else if hasPrefix(Self.commentStart) {
                    guard !stack.isEmpty else { throw XMLParseError(.unexpectedCharacter, at: index) }
                    try skipComment()
                } else if hasPrefix(Self.cdataStart) {
                    guard !stack.isEmpty else { throw XMLParseError(.unexpectedCharacter, at: index) }
                    try parseCDATA(into: &stack[stack.count - 1].pendingText)
                } else if hasPrefix(Self.piStart) {
                    guard !stack.isEmpty else { throw XMLParseError(.unexpectedCharacter, at: index) }
                    try skipProcessingInstruction()
                } else if hasPrefix(Self.bangStart) {
                    throw XMLParseError(.doctypeNotSupported, at: index)
                } else {
                    let start = index
                    let (name, attributes, selfClosing) = try parseStartTag()
                    if stack.count >= maxDepth { throw XMLParseError(.depthLimitExceeded, at: start) }
                    if !stack.isEmpty { stack[stack.count - 1].flushText() }
                    if selfClosing {
                        let element = XMLElement(name: name, attributes: attributes)
                        if stack.isEmpty { return element }
                        stack[stack.count - 1].children.append(.element(element))
                    } else {
                        stack.append(OpenElement(name: name, attributes: attributes))
                    }
                }
            } else {
                guard !stack.isEmpty else { throw XMLParseError(.textOutsideRoot, at: index) }
                try parseCharacterData(into: &stack[stack.count - 1].pendingText)
            }
        }
    }

    /// Parses `<name attr="v" ...>` or `<name ... />` starting at `<`.
    private mutating func parseStartTag() throws(XMLParseError) -> (String, [XMLAttribute], Bool) {
        index += 1
        let name = try parseName()
        var attributes: [XMLAttribute] = []
        while true {
            let hadSpace = skipWhitespace()
            guard let c = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
            if c == UInt8(ascii: "/") {
                index += 1
                try expect(UInt8(ascii: ">"))
                return (name, attributes, true)
            }
            if c == UInt8(ascii: ">") {
                index += 1
                return (name, attributes, false)
            }
            guard hadSpace else { throw XMLParseError(.unexpectedCharacter, at: index) }
            let attributeStart = index
            let attributeName = try parseName()
            skipWhitespace()
            try expect(UInt8(ascii: "="))
            skipWhitespace()
            let value = try parseAttributeValue()
            if attributes.contains(where: { $0.name == attributeName }) {
                throw XMLParseError(.duplicateAttribute, at: attributeStart)
            }
            attributes.append(XMLAttribute(name: attributeName, value: value))
        }
    }

    private mutating func parseAttributeValue() throws(XMLParseError) -> String {
        guard let quote = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw XMLParseError(.unexpectedCharacter, at: index)
        }
        index += 1
        var value: [UInt8] = []
        while true {
            guard let c = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
            switch c {
            case quote:
                index += 1
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "<"):
                throw XMLParseError(.unexpectedCharacter, at: index)
            case UInt8(ascii: "&"):
                try parseReference(into: &value)
            case 0x0D:
                // Attribute-value normalization: a literal line break or tab becomes one space.
                index += byte(at: index + 1) == 0x0A ? 2 : 1
                value.append(0x20)
            case 0x09, 0x0A:
                index += 1
                value.append(0x20)
            default:
                guard c >= 0x20 else { throw XMLParseError(.invalidCharacter, at: index) }
                value.append(c)
                index += 1
            }
        }
    }

    // MARK: Character data

    private mutating func parseCharacterData(into text: inout [UInt8]) throws(XMLParseError) {
        while let c = byte(at: index), c != UInt8(ascii: "<") {
            switch c {
            case UInt8(ascii: "&"):
                try parseReference(into: &text)
            case 0x0D:
                index += byte(at: index + 1) == 0x0A ? 2 : 1
                text.append(0x0A)
            case UInt8(ascii: "]") where hasPrefix(Self.cdataEnd):
                throw XMLParseError(.unexpectedCharacter, at: index)
            default:
                guard c >= 0x20 || c == 0x09 || c == 0x0A else { throw XMLParseError(.invalidCharacter, at: index) }
                text.append(c)
                index += 1
            }
        }
    }

    private mutating func parseCDATA(into text: inout [UInt8]) throws(XMLParseError) {
        index += 9
        while true {
            guard let c = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
            if c == UInt8(ascii: "]") && hasPrefix(Self.cdataEnd) {
                index += 3
                return
            }
            if c == 0x0D {
                index += byte(at: index + 1) == 0x0A ? 2 : 1
                text.append(0x0A)
                continue
            }
            guard c >= 0x20 || c == 0x09 || c == 0x0A else { throw XMLParseError(.invalidCharacter, at: index) }
            text.append(c)
            index += 1
        }
    }

    /// Parses `&name;`, `&#N;` or `&#xH;` starting at `&` and appends the UTF-8 of what it stands for.
    private mutating func parseReference(into out: inout [UInt8]) throws(XMLParseError) {
        let start = index
        index += 1
        var semicolon = index
        while let c = byte(at: semicolon), semicolon - index < 12, Self.isNameStart(c) || Self.isNameOther(c) || c == UInt8(ascii: "#") {
            semicolon += 1
        }
        guard let terminator = byte(at: semicolon) else { throw XMLParseError(.unexpectedEnd, at: start) }
        guard terminator == UInt8(ascii: ";") else { throw XMLParseError(.invalidReference, at: start) }
        let body = bytes[index..<semicolon]
        index = semicolon + 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": out.append(UInt8(ascii: "<"))
        case "gt": out.append(UInt8(ascii: ">"))
        case "amp": out.append(UInt8(ascii: "&"))
        case "apos": out.append(UInt8(ascii: "'"))
        case "quot": out.append(UInt8(ascii: "\""))
        default:
            guard body.first == UInt8(ascii: "#") else { throw XMLParseError(.invalidReference, at: start) }
            var digits = body.dropFirst()
            var radix: UInt32 = 10
            if digits.first == UInt8(ascii: "x") {
                radix = 16
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, digits.count <= 8 else { throw XMLParseError(.invalidReference, at: start) }
            var value: UInt32 = 0
            for d in digits {
                guard let v = Self.digitValue(d, radix: radix) else { throw XMLParseError(.invalidReference, at: start) }
                value = value * radix + v
            }
            guard Self.isXMLChar(value), let scalar = Unicode.Scalar(value) else {
                throw XMLParseError(.invalidReference, at: start)
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    private static func digitValue(_ d: UInt8, radix: UInt32) -> UInt32? {
        switch d {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(d - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: UInt32(d - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: UInt32(d - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// XML 1.0 `Char`: what a character reference may stand for.
    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
            || (0x10000...0x10FFFF).contains(v)
    }

    // MARK: Markup to skip

    private mutating func skipComment() throws(XMLParseError) {
        index += 4
        while true {
            guard let c = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
            if c == UInt8(ascii: "-") && byte(at: index + 1) == UInt8(ascii: "-") {
                guard let after = byte(at: index + 2) else { throw XMLParseError(.unexpectedEnd, at: index) }
                guard after == UInt8(ascii: ">") else { throw XMLParseError(.unexpectedCharacter, at: index) }
                index += 3
                return
            }
            guard c >= 0x20 || isWhitespace(c) else { throw XMLParseError(.invalidCharacter, at: index) }
            index += 1
        }
    }

    private mutating func skipProcessingInstruction() throws(XMLParseError) {
        index += 2
        _ = try parseName()
        while true {
            guard let c = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
            if c == UInt8(ascii: "?") && byte(at: index + 1) == UInt8(ascii: ">") {
                index += 2
                return
            }
            guard c >= 0x20 || isWhitespace(c) else { throw XMLParseError(.invalidCharacter, at: index) }
            index += 1
        }
    }

    // MARK: Lexical helpers

    private mutating func parseName() throws(XMLParseError) -> String {
        let start = index
        guard let first = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
        guard Self.isNameStart(first) else { throw XMLParseError(.invalidName, at: index) }
        index += 1
        while let c = byte(at: index), Self.isNameStart(c) || Self.isNameOther(c) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") || c >= 0x80
    }

    private static func isNameOther(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    private func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while let c = byte(at: index), isWhitespace(c) { index += 1 }
        return index > start
    }

    private mutating func expect(_ c: UInt8) throws(XMLParseError) {
        guard let actual = byte(at: index) else { throw XMLParseError(.unexpectedEnd, at: index) }
        guard actual == c else { throw XMLParseError(.unexpectedCharacter, at: index) }
        index += 1
    }

    private func byte(at i: Int) -> UInt8? {
        i >= 0 && i < bytes.count ? bytes[i] : nil
    }

    private func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        return bytes[index..<(index + prefix.count)].elementsEqual(prefix)
    }
}
