import Basics
import DesiredState
import Foundation

/// `spec.routingControls`: the ARC cluster whose regional endpoints set the controls.
public struct RoutingControlsSpec: Sendable, Equatable, Declaration {
    public struct Endpoint: Sendable, Equatable {
        public var region: String
        public var url: String

        public init(region: String, url: String) {
            self.region = region
            self.url = url
        }
    }

    /// In the order the file lists them (as `DescribeCluster` does).
    public var clusterEndpoints: [Endpoint]

    public init(clusterEndpoints: [Endpoint]) {
        self.clusterEndpoints = clusterEndpoints
    }
}

/// The routing controls' keys: `spec.routingControls` and `spec.regions.*.routingControlArn`.
struct RoutingControlsKeys: KindSchema {
    let specKeys = ["routingControls"]
    let regionKeys = ["routingControlArn"]
    let noun = "ARC routing controls"

    func read(_ file: inout KindReader) {
        for region in file.regionNames {
            guard let entry = file.region(region, "routingControlArn"), let arn = file.string(entry) else { continue }
            guard Self.isControlARN(arn) else {
                file.report(
                    entry,
                    "found `\(arn)`; expected a routing control ARN (arn:aws:route53-recovery-control::ACCOUNT:controlpanel/ID/routingcontrol/ID)")
                continue
            }
            file.regionDeclarations[region, default: Declarations()]["routingControlArn"] = arn
        }
        if let section = file.spec("routingControls"), let entries = file.mapping(section, allowed: ["clusterEndpoints"]) {
            guard let listEntry = entries["clusterEndpoints"] else {
                file.report(section, "missing clusterEndpoints; list the cluster's regional endpoints, as DescribeCluster gives them")
                return
            }
            let items = file.list(listEntry)
            var endpoints: [RoutingControlsSpec.Endpoint] = []
            for item in items ?? [] {
                guard let fields = file.mapping(item, allowed: ["region", "url"]) else { continue }
                let region = file.string(fields, "region", in: item)
                let url = file.string(fields, "url", in: item)
                if let region, let entry = fields["region"], !isRegionName(region) {
                    file.report(entry, "found `\(region)`; expected an AWS region name such as us-west-2")
                    continue
                }
                // An endpoint URL may carry a secret by mistake: it is never echoed as written.
                if let url, let entry = fields["url"], let problem = Self.urlProblem(url) {
                    file.report(entry, "found `\(redacted(url))`; \(problem)")
                    continue
                }
                if let region, let url {
                    if let named = Self.urlRegion(url), named != region, let entry = fields["region"] {
                        file.report(entry, "found `\(region)`, but the endpoint \(url) is in \(named); expected the endpoint's own region")
                        continue
                    }
                    if endpoints.contains(where: { Self.same($0.url, url) }), let entry = fields["url"] {
                        file.report(entry, "found `\(url)` twice; expected each endpoint once")
                        continue
                    }
                    endpoints.append(.init(region: region, url: url))
                }
            }
            if items?.isEmpty == true {
                file.report(listEntry, "found an empty list; expected the cluster's regional endpoints")
            }
            if !endpoints.isEmpty { file.declarations["routingControls"] = RoutingControlsSpec(clusterEndpoints: endpoints) }
        }
        file.requireComplete(regionKey: "routingControlArn", section: "routingControls")
        file.requireDistinct("routingControlArn", noun: "routing control")
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        app.spec.regions.compactMap { region in
            region.routingControlARN.map {
                ResourceClaim(key: "routing control \($0)", what: "routing control `\($0)`", field: "spec.regions.\(region.name).routingControlArn")
            }
        }
    }

    /// `arn:PARTITION:route53-recovery-control::ACCOUNT:controlpanel/ID/routingcontrol/ID`, ids in lower-case hex (as
    /// ARC makes them).
    static func isControlARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[1].allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }),
            parts[2] == "route53-recovery-control", parts[3].isEmpty, parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return false }
        let path = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        let id = { (part: Substring) in !part.isEmpty && part.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" } }
        return path.count == 4 && path[0] == "controlpanel" && path[2] == "routingcontrol" && id(path[1]) && id(path[3])
    }

    /// The region an AWS endpoint's host names (`….route53-recovery-cluster.us-west-2.amazonaws.com`); nil for another
    /// host (a local emulator).
    static func urlRegion(_ text: String) -> String? {
        guard let host = URLComponents(string: text)?.host?.lowercased() else { return nil }
        let labels = host.split(separator: ".")
        guard let index = labels.firstIndex(of: "route53-recovery-cluster"), index + 1 < labels.count else { return nil }
        let region = String(labels[index + 1])
        return isRegionName(region) ? region : nil
    }

    /// Two spellings of one endpoint: the host's case and a trailing slash do not matter.
    static func same(_ a: String, _ b: String) -> Bool {
        func normal(_ text: String) -> String {
            guard var components = URLComponents(string: text) else { return text }
            let host = components.host?.lowercased()
            let scheme = components.scheme?.lowercased()
            var path = components.path
            while path.hasSuffix("/") { path.removeLast() }
            components.host = host
            components.scheme = scheme
            components.path = path
            return components.string ?? text
        }
        return normal(a) == normal(b)
    }

    /// Whether `host` is this machine: `localhost`, `::1`, or an IPv4 address in 127.0.0.0/8 (four decimal octets).
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } && Int($0)! <= 255 }
    }

    /// Why `text` cannot be an endpoint: https, or http to a loopback address (a local emulator); no credentials, no
    /// query.
    static func urlProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "expected an endpoint URL such as https://host.route53-recovery-cluster.us-west-2.amazonaws.com/v1"
        }
        if url.user != nil || url.password != nil || url.query != nil || url.fragment != nil {
            return "expected an endpoint URL without credentials, query or fragment"
        }
        guard scheme == "https" || (scheme == "http" && isLoopback(host)) else {
            return "expected https (plain http only to a loopback address, such as a local emulator)"
        }
        return nil
    }
}

extension RegionSpec {
    /// The ARN of the ARC routing control that sends traffic to this region.
    public var routingControlARN: String? {
        get { declarations["routingControlArn"] }
        set { declarations["routingControlArn"] = newValue }
    }
}

extension ApplicationSpec {
    /// `spec.routingControls`.
    public var routingControls: RoutingControlsSpec? {
        get { declarations["routingControls"] }
        set { declarations["routingControls"] = newValue }
    }
}
