@testable import AWS
import SwitchyardTestSupport
import Testing

@Suite struct XMLParsingTests {
    @Test func parsesElementsAttributesAndTextInOrder() throws {
        let doc = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- leading comment -->
            <Root xmlns="http://example.com/doc/" b="2" a="1">
              <A>one</A>
              <B/>
              <A>two</A>
            </Root>
            """
        let root = try XMLElement.parse(doc)
        #expect(root.name == "Root")
        #expect(root.attributes.map(\.name) == ["xmlns", "b", "a"])
        #expect(root.attribute(named: "xmlns") == "http://example.com/doc/")
        #expect(root.elements.map(\.name) == ["A", "B", "A"])
        #expect(root.children(named: "A").map(\.text) == ["one", "two"])
        #expect(root.child(named: "B")?.children.isEmpty == true)
        #expect(root.children.count == 7)  // four whitespace runs kept between three elements
    }

    @Test func resolvesPredefinedEntitiesAndCharacterReferences() throws {
        let root = try XMLElement.parse(#"<a t="&quot;x&apos; &lt;&#65;&#x42;">&lt;&gt;&amp;&apos;&quot;&#233;&#x1F600;</a>"#)
        #expect(root.text == "<>&'\"é😀")
        #expect(root.attribute(named: "t") == "\"x' <AB")
    }

    @Test func mergesCDATAAndTextAroundComments() throws {
        let root = try XMLElement.parse("<a>x<![CDATA[<not> &markup;]]>y<!-- c -->z</a>")
        #expect(root.children == [.text("x<not> &markup;yz")])
    }

    @Test func normalizesLineEndingsAndAttributeWhitespace() throws {
        let root = try XMLElement.parse(Array("<a v=\"1\t2\r\n3\">l1\r\nl2\rl3&#13;</a>".utf8))
        #expect(root.text == "l1\nl2\nl3\r")
        #expect(root.attribute(named: "v") == "1 2 3")
    }

    @Test func pathLookup() throws {
        let root = try XMLElement.parse("<E><Error><Code>X</Code></Error><p:Q xmlns:p=\"u\">q</p:Q></E>")
        #expect(root.text(at: "Error/Code") == "X")
        #expect(root.element(at: ["Error", "Code"])?.text == "X")
        #expect(root.text(at: "Error/Missing") == nil)
        #expect(root.child(named: "Q")?.text == "q")
        #expect(root.child(named: "p:Q")?.localName == "Q")
    }

    @Test func skipsByteOrderMarkAndProcessingInstructions() throws {
        let root = try XMLElement.parse([0xEF, 0xBB, 0xBF] + Array("<?xml version='1.0'?><?pi data?><a><?inner x?>t</a><?after?>".utf8))
        #expect(root == XMLElement(name: "a", text: "t"))
    }

    @Test(arguments: [
        ("", XMLParseError.Reason.noRootElement),
        ("   ", .noRootElement),
        ("<a>", .unexpectedEnd),
        ("<a></b>", .mismatchedEndTag),
        ("<a><b></a></b>", .mismatchedEndTag),
        ("<a x='1' x='2'/>", .duplicateAttribute),
        ("<a x=1/>", .unexpectedCharacter),
        ("<a x='1'y='2'/>", .unexpectedCharacter),
        ("<a>&bogus;</a>", .invalidReference),
        ("<a>&#0;</a>", .invalidReference),
        ("<a>&#xD800;</a>", .invalidReference),
        ("<a>&#x110000;</a>", .invalidReference),
        ("<a>&#;</a>", .invalidReference),
        ("<a>&amp</a>", .invalidReference),
        ("<a>&am", .unexpectedEnd),
        ("<a>]]></a>", .unexpectedCharacter),
        ("<a/><b/>", .multipleRoots),
        ("text<a/>", .textOutsideRoot),
        ("<a/>text", .textOutsideRoot),
        ("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", .doctypeNotSupported),
        ("<1a/>", .invalidName),
        ("< a/>", .invalidName),
        ("<a><!-- x -- y --></a>", .unexpectedCharacter),
        ("<a><!-- open", .unexpectedEnd),
        ("<a><![CDATA[open", .unexpectedEnd),
        ("<a x='<'/>", .unexpectedCharacter),
        ("<a>\u{1}</a>", .invalidCharacter),
        ("<a", .unexpectedEnd),
        ("<a x", .unexpectedEnd),
        ("<a x=", .unexpectedEnd),
        ("<a x='1", .unexpectedEnd),
        ("<a></a", .unexpectedEnd),
        ("<a/", .unexpectedEnd),
    ])
    func rejectsMalformedDocuments(input: String, reason: XMLParseError.Reason) {
        #expect(throws: XMLParseError.self) { try XMLElement.parse(input) }
        do {
            _ = try XMLElement.parse(input)
        } catch {
            #expect(error.reason == reason, "\(input)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: XMLParseError(.invalidUTF8, at: 0)) { try XMLElement.parse([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E]) }
    }

    @Test func everyTruncationOfAValidDocumentIsRejected() throws {
        let bytes = Array(XMLFixtures.distributionConfig.utf8)
        _ = try XMLElement.parse(bytes)
        // Cutting anywhere before the root's end tag completes must fail, never yield a partial tree.
        let accepted = (0..<bytes.count).filter { (try? XMLElement.parse(Array(bytes[..<$0]))) != nil }
        #expect(accepted == [])
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "<a>", count: 65) + String(repeating: "</a>", count: 65)
        #expect(throws: XMLParseError.self) { try XMLElement.parse(deep) }
        let ok = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        _ = try XMLElement.parse(ok)
        #expect(throws: XMLParseError.self) { try XMLElement.parse(ok, maxDepth: 10) }
        let hostile = String(repeating: "<a>", count: 200_000)
        #expect(throws: XMLParseError(.depthLimitExceeded, at: 64 * 3)) { try XMLElement.parse(hostile) }
    }
}

@Suite struct XMLRoundTripTests {
    @Test(arguments: [
        XMLFixtures.distributionConfig,
        "<a/>",
        "<a x=\"&quot;'&lt;&amp;&#10;&#9;&#13;\">t&amp;&lt;&gt;\r</a>",
        "<a>  <b>\n</b>  <c/>text<![CDATA[<x>]]></a>",
        "<p:a xmlns:p=\"urn:p\" p:x=\"1\"><p:b>é😀</p:b></p:a>",
    ])
    func parseSerializeParseIsIdentity(document: String) throws {
        let first = try XMLElement.parse(document)
        let text = first.serialized()
        let second = try XMLElement.parse(text)
        #expect(first == second)
        #expect(second.serialized() == text)
        #expect(try XMLElement.parse(first.serialized(declaration: true)) == first)
    }

    @Test func serializationKeepsNamespaceOrderAndWhitespace() throws {
        let doc = "<R xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">\n  <B>1</B>\n  <A>2</A>\n</R>"
        #expect(try XMLElement.parse(doc).serialized() == doc)
    }

    @Test func deepTreeBuiltInCodeSerializesWithoutRecursion() {
        var element = XMLElement(name: "leaf", text: "x")
        for _ in 0..<10_000 { element = XMLElement(name: "n", children: [.element(element)]) }
        let text = element.serialized()
        #expect(text.hasPrefix("<n><n>"))
        #expect(text.hasSuffix("</n></n>"))
    }
}

@Suite struct XMLFuzzTests {

    @Test func mutatedAndRandomInputsNeverCrashAndRoundTripWhenAccepted() throws {
        var rng = SplitMix64(state: 0x5717_C4A2_D00D)
        let seeds = [XMLFixtures.distributionConfig, XMLFixtures.errorResponse, "<a x='1'>&amp;<![CDATA[c]]><!--x--></a>"].map { Array($0.utf8) }
        let interesting = Array("<>/&;#x![]-?'\"= \n\r\tCDATAamplt".utf8) + [0x00, 0x80, 0xC3, 0xA9, 0xFF]
        var accepted = 0
        for round in 0..<2_000 {
            var input: [UInt8]
            if round % 10 == 0 {
                input = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                input = seeds[round % seeds.count]
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !input.isEmpty {
                    let at = Int.random(in: 0..<input.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: input[at] = interesting.randomElement(using: &rng)!
                    case 1: input.remove(at: at)
                    case 2: input.insert(interesting.randomElement(using: &rng)!, at: at)
                    default: input = Array(input[..<at])
                    }
                }
            }
            if let tree = try? XMLElement.parse(input) {
                accepted += 1
                #expect(try XMLElement.parse(tree.serialized()) == tree)
            }
        }
        #expect(accepted > 0)
    }

    @Test func errorDecoderIsTotalOnMutatedBodies() {
        var rng = SplitMix64(state: 0xE44_0D3C)
        let op = AWSOperation(service: .rds, region: "us-east-1", name: "DescribeGlobalClusters", method: "POST", idempotent: true)
        let seed = Array(XMLFixtures.errorResponse.utf8)
        for _ in 0..<500 {
            var body = seed
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !body.isEmpty {
                let at = Int.random(in: 0..<body.count, using: &rng)
                if Bool.random(using: &rng) { body[at] = UInt8.random(in: 0...255, using: &rng) } else { body = Array(body[..<at]) }
            }
            let error = AWSErrorDecoder.decode(operation: op, response: HTTPResponse(status: 400, body: body))
            #expect(error.httpStatus == 400)
            #expect(error.kind == .service || error.kind == .malformedResponse)
        }
    }
}
