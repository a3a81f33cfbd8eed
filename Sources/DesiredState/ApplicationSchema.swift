import Yams

/// The v1 schema: which fields exist, what each holds, and the rules across fields.
extension NodeReader {
    mutating func application(_ root: Node, schema: Schema) -> Application? {
        guard let top = mapping(root, "", allowed: ["apiVersion", "kind", "metadata", "spec"]) else { return nil }
        if let version = string(top, "apiVersion", in: root, ""), version != ApplicationParser.apiVersion {
            let hint =
                version.hasPrefix("switchyard/")
                ? "; this Switchyard reads only \(ApplicationParser.apiVersion): upgrade Switchyard to read a newer version"
                : ""
            report(at: top["apiVersion"]?.value, "apiVersion", "found `\(version)`; expected `\(ApplicationParser.apiVersion)`\(hint)")
        }
        if let kind = string(top, "kind", in: root, ""), kind != ApplicationParser.kind {
            report(at: top["kind"]?.value, "kind", "found `\(kind)`; expected `\(ApplicationParser.kind)`")
        }
        var name: String?
        if let metadata = top["metadata"]?.value {
            if let fields = mapping(metadata, "metadata", allowed: ["name"]) {
                name = string(fields, "name", in: metadata, "metadata")
                if let n = name, !isDNSLabel(n) {
                    report(
                        at: fields["name"]?.value, "metadata.name",
                        "found `\(n)`; expected lowercase letters, digits and hyphens (at most 63), starting with a letter")
                    name = nil
                }
            }
        } else {
            report(at: root, "metadata", "missing; this field is required")
        }
        guard let specNode = top["spec"]?.value else {
            report(at: root, "spec", "missing; this field is required")
            return nil
        }
        guard let spec = spec(specNode, schema: schema), let name else { return nil }
        let activeMark = mapping(specNode, "spec", allowed: nil)?["activeRegion"]?.value.mark
        return Application(name: name, spec: spec, source: .init(path: path, activeRegion: location(activeMark), fields: fields))
    }

    /// The engine's fields of `spec` (the active region, the regions, safety, suspension); every other key belongs to
    /// a kind of the schema, which reads it.
    private mutating func spec(_ node: Node, schema: Schema) -> ApplicationSpec? {
        let field = "spec"
        guard let fields = mapping(node, field, allowed: ["activeRegion", "regions"] + schema.specKeys + ["safety", "suspend"])
        else { return nil }
        let active = string(fields, "activeRegion", in: node, field)
        var regions: [(name: String, key: Node, entries: [String: (key: Node, value: Node)], value: Node)] = []
        if let regionsNode = fields["regions"]?.value {
            regions = self.regions(regionsNode, allowed: schema.regionKeys)
            if regions.count < 2, regionsNode.mapping != nil {
                report(at: regionsNode, "spec.regions", "found \(regions.count) region\(regions.count == 1 ? "" : "s"); expected at least two")
            }
        } else {
            report(at: node, "spec.regions", "missing; this field is required")
        }
        if let active, !regions.isEmpty, !regions.contains(where: { $0.name == active }) {
            report(
                at: fields["activeRegion"]?.value, "spec.activeRegion",
                "found `\(active)`; expected one of the regions declared under spec.regions: \(regions.map(\.name).joined(separator: ", "))")
        }
        let regionEntries = Dictionary(
            regions.map { ($0.name, (key: $0.key, entries: $0.entries, value: $0.value)) }, uniquingKeysWith: { a, _ in a })
        var kinds = KindReader(
            reader: self, specNode: node, specEntries: fields, regionEntries: regionEntries, regionsNode: fields["regions"]?.value,
            regionNames: regions.map(\.name), activeRegion: active)
        for kind in schema.kinds { kind.read(&kinds) }
        self = kinds.reader
        let safety = fields["safety"].flatMap { self.safety($0.value) } ?? SafetySpec()
        let sections = schema.kinds.flatMap(\.specKeys)
        if !regions.isEmpty, !sections.contains(where: { fields[$0] != nil }), kinds.regionDeclarations.values.allSatisfy(\.isEmpty) {
            let nouns = schema.kinds.map(\.noun)
            let expected = nouns.count > 1 ? nouns.dropLast().joined(separator: ", ") + " or " + nouns.last! : nouns.first ?? "resources"
            report(at: fields["regions"]?.value, "spec.regions", "no resources declared; expected \(expected)")
        }
        guard let active else { return nil }
        var spec = ApplicationSpec(
            activeRegion: active,
            regions: regions.map { RegionSpec(name: $0.name, declarations: kinds.regionDeclarations[$0.name] ?? Declarations()) },
            declarations: kinds.declarations, safety: safety)
        spec.suspend = bool(fields, "suspend", field) ?? false
        return spec
    }

    /// The regions whose value is a mapping of keys the kinds own, each with its entries.
    private mutating func regions(
        _ node: Node, allowed: [String]
    ) -> [(name: String, key: Node, entries: [String: (key: Node, value: Node)], value: Node)] {
        guard let mapping = node.mapping else {
            report(at: node, "spec.regions", "found \(describe(node)); expected a mapping of region name to its resources")
            return []
        }
        var result: [(name: String, key: Node, entries: [String: (key: Node, value: Node)], value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { continue }
            let field = "spec.regions.\(name)"
            if !isRegionName(name) {
                report(at: key, field, "found `\(name)`; expected an AWS region name such as us-east-1")
            }
            guard let entries = self.mapping(value, field, allowed: allowed) else { continue }
            result.append((name, key, entries, value))
        }
        return result
    }

    private mutating func safety(_ node: Node) -> SafetySpec? {
        guard let entries = mapping(node, "spec.safety", allowed: ["minDwell"]) else { return nil }
        return SafetySpec(minDwell: duration(entries, "minDwell", in: node, "spec.safety"))
    }
}

/// A DNS label: what an application name must be, so it can name metrics, files and resources.
func isDNSLabel(_ name: String) -> Bool {
    guard (1...63).contains(name.count), let first = name.first, first.isASCII, first.isLowercase,
        name.last != "-"
    else { return false }
    return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
}
