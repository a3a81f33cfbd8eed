extension XMLElement {
    /// The XML declaration AWS request bodies may start with.
    public static let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#

    /// The element as a document: every attribute and child in order, text escaped so that
    /// parsing the result gives back this tree.
    /// - Parameter declaration: whether to start with `<?xml version="1.0" encoding="UTF-8"?>`.
    public func serialized(declaration: Bool = false) -> String {
        var out = declaration ? Self.declaration : ""
        // An explicit stack, so a deep tree built in code cannot exhaust the call stack.
        var stack: [(element: XMLElement, next: Int)] = []
        Self.open(self, into: &out, stack: &stack)
        while let top = stack.last {
            if top.next == top.element.children.count {
                out += "</\(top.element.name)>"
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            switch top.element.children[top.next] {
            case .text(let text):
                Self.escape(text, attribute: false, into: &out)
            case .element(let child):
                Self.open(child, into: &out, stack: &stack)
            }
        }
        return out
    }

    /// The UTF-8 bytes of `serialized(declaration:)`.
    public func serializedBytes(declaration: Bool = false) -> [UInt8] {
        Array(serialized(declaration: declaration).utf8)
    }

    /// Writes a start tag (or a whole empty element) and pushes the element when it has children.
    private static func open(_ element: XMLElement, into out: inout String, stack: inout [(element: XMLElement, next: Int)]) {
        out += "<" + element.name
        for attribute in element.attributes {
            out += " \(attribute.name)=\""
            escape(attribute.value, attribute: true, into: &out)
            out += "\""
        }
        if element.children.isEmpty {
            out += "/>"
        } else {
            out += ">"
            stack.append((element, 0))
        }
    }

    /// Escapes markup characters, and those a parser would normalize away (CR everywhere; tab
    /// and line feed in attribute values).
    private static func escape(_ s: String, attribute: Bool, into out: inout String) {
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
