import AWS
import Basics
import DesiredState

/// An SSM parameter (String) that names the active region, written in every declared region (`spec.parameter: NAME`):
/// for applications that read their active region instead of being redeployed. Its step is the failover's `moveTraffic`.
public struct SSMParameter: ResourceKind {
    /// Each declared region's value (nil inside: the parameter does not exist there yet).
    public typealias Live = [String: Observed<String?>]

    public static let name = "ssm-parameter"
    public static let keys: any KindSchema = SSMParameterKeys()
    public let control: any ParameterControl

    public init(control: any ParameterControl) {
        self.control = control
    }

    public init(sender: any AWSRequestSending) {
        self.init(control: LiveParameters(sender: sender))
    }

    public static let actions: [StepAction.Info] = [
        StepAction.Info(
            .writeParameter, label: "write parameter", controlPlane: { "ssm \($0.region)" },
            summary: { "write \($0.attributes["value"]?.string ?? "?") to parameter \($0.resource) in \($0.region)" })
    ]

    public static func describe(_ live: LiveSummary) -> [LiveLine] {
        guard let map = live.facts["parameter"]?.map, !map.isEmpty else { return [] }
        let text = map.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return [LiveLine(key: "parameter", label: "parameter (SSM)", text: "parameter \(text)", value: text)]
    }

    public static func grants(_ app: Application, account: AccountContext) throws(IAMGrantError) -> [IAMGrant] {
        guard let parameter = app.spec.parameter else { return [] }
        guard let id = account.account else { throw IAMGrantError(needs: "SSM parameter ARN") }
        let path = parameter.hasPrefix("/") ? String(parameter.dropFirst()) : parameter
        return [
            IAMGrant(
                sid: "SwitchyardParameter", actions: ["ssm:GetParameter", "ssm:PutParameter"], mutating: ["ssm:PutParameter"],
                resources: app.spec.regions.map { "arn:\(account.partition):ssm:\($0.name):\(id):parameter/\(path)" })
        ]
    }

    public func observe(_ app: Application, calls: any CallGate) async -> Live? {
        guard let parameter = app.spec.parameter else { return nil }
        let control = control
        return await Observed.eachRegion(
            app.spec.regions.map { ($0.name, parameter) }, plane: { "ssm \($0)" }, calls: calls,
            what: { "cannot read parameter \($0) in \($1)" }, read: { try await control.value(of: $0, region: $1) })
    }

    public func plan(_ app: Application, _ live: Live, into plan: inout AppPlan) {
        guard let parameter = app.spec.parameter else { return }
        let active = app.spec.activeRegion
        var facts: [String: String] = [:]
        for region in app.spec.regions.map(\.name) {
            let step = { (reason: String) in
                var step = Step(
                    kind: Self.name, id: "parameter:\(region)", action: .writeParameter, phase: .moveTraffic, resource: parameter,
                    region: region, reason: reason)
                step.attributes["value"] = .string(active)
                return step
            }
            switch live[region] {
            case let .value(value)?:
                facts[region] = value ?? "(none)"
                if value != active { plan.steps.append(step("it reads \(value ?? "nothing"); \(active) is active")) }
            case let .unavailable(why)?, let .missing(why)?:
                plan.unobserved.append(why)
                plan.steps.append(step("it could not be read; \(active) is active (checked again before writing)"))
            case nil:
                continue
            }
        }
        plan.live.facts["parameter"] = .map(facts)
    }

    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        guard let value = step.attributes["value"]?.string else { throw ReconcileError("\(step.id) has no value") }
        let (control, parameter, region) = (control, step.resource, step.region)
        let current = try await context.calls.call("ssm \(region)", read: true) { try await control.value(of: parameter, region: region) }
        if current == value { return StepOutcome(step: step, status: .alreadyDone, message: "\(parameter) reads \(value) in \(region)") }
        try context.announce(step)
        let requestID = try await context.calls.call("ssm \(region)", read: false) {
            try await control.write(value, to: parameter, region: region)
        }
        context.record(step, requestID: requestID)
        return StepOutcome(step: step, status: .done, message: "\(parameter) reads \(value) in \(region)", requestID: requestID)
    }
}

/// What the parameter kind calls, in each region.
public protocol ParameterControl: Sendable {
    /// The parameter's value; nil when it does not exist in the region.
    func value(of parameter: String, region: String) async throws -> String?
    /// Writes the parameter (a String, overwritten); returns the AWS request id when known.
    func write(_ value: String, to parameter: String, region: String) async throws -> String?
}

/// `ParameterControl` on SSM Parameter Store.
struct LiveParameters: ParameterControl {
    let sender: any AWSRequestSending

    func value(of parameter: String, region: String) async throws -> String? {
        try await SSMClient(sender: sender).getParameter(name: parameter, region: region)
    }

    func write(_ value: String, to parameter: String, region: String) async throws -> String? {
        let capture = RequestIDCapture(sender)
        try await SSMClient(sender: capture).putParameter(name: parameter, value: value, region: region)
        return capture.requestID
    }
}

/// The parameter's key: `spec.parameter: NAME`.
struct SSMParameterKeys: KindSchema {
    let specKeys = ["parameter"]
    let regionKeys: [String] = []
    let noun = "an SSM parameter"

    func read(_ file: inout KindReader) {
        guard let entry = file.spec("parameter"), let name = file.string(entry) else { return }
        let allowed = name.count <= 2048 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-/".contains($0)) }
        guard allowed, !name.hasPrefix("aws"), !name.hasPrefix("ssm") else {
            file.report(entry, "found `\(name)`; expected an SSM parameter name (letters, digits, _ . - /, not starting with aws or ssm)")
            return
        }
        file.declarations["parameter"] = name
    }

    func claims(_ app: Application) -> [ResourceClaim] {
        app.spec.parameter.map { [ResourceClaim(key: "parameter \($0)", what: "SSM parameter `\($0)`", field: "spec.parameter")] } ?? []
    }
}

extension StepAction {
    /// Write the active region's name to the SSM parameter in one region.
    public static let writeParameter = StepAction("writeParameter")
}

extension ApplicationSpec {
    /// `spec.parameter`: the SSM parameter that names the active region.
    public var parameter: String? {
        get { declarations["parameter"] }
        set { declarations["parameter"] = newValue }
    }
}
