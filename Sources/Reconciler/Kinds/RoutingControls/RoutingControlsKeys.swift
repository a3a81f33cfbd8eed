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
                if let url, let entry = fields["url"], let problem = Self.urlProblem(url) {
                    file.report(entry, "found `\(url)`; \(problem)")
                    continue
                }
                if let region, let url {
                    if endpoints.contains(where: { $0.url == url }), let entry = fields["url"] {
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

    static func isControlARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == "route53-recovery-control", parts[3].isEmpty,
            parts[4].count == 12, parts[4].allSatisfy(\.isNumber)
        else { return false }
        let path = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        return path.count == 4 && path[0] == "controlpanel" && path[2] == "routingcontrol" && !path[1].isEmpty && !path[3].isEmpty
            && path.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }
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
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        guard scheme == "https" || (scheme == "http" && loopback) else {
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
