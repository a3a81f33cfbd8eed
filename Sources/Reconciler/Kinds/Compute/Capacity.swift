import Basics
import DesiredState

/// A group's or a service's capacity, as the compute kinds need it.
public struct Capacity: Sendable, Equatable {
    /// What it is asked to run.
    public var desired: Int
    /// What runs and serves now (instances `InService`, tasks running).
    public var inService: Int
    /// The group's minimum and maximum (nil for a service, which has none).
    public var minimum: Int?
    public var maximum: Int?

    public init(desired: Int, inService: Int, minimum: Int? = nil, maximum: Int? = nil) {
        self.desired = desired
        self.inService = inService
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// What a compute kind calls, in the resource's region.
public protocol ComputeControl: Sendable {
    /// The resource's capacity; nil when the region has no such resource.
    func capacity(of resource: String, region: String) async throws -> Capacity?
    /// Sets the desired capacity, and the minimum when given (so scaling policies cannot take it back down
    /// mid-failover); returns the AWS request id when known.
    func setCapacity(of resource: String, region: String, desired: Int, minimum: Int?) async throws -> String?
}

/// `spec.capacity`: how much the active region runs at least, and what a region left keeps.
public struct CapacitySpec: Sendable, Equatable, Declaration {
    /// The least the active region runs of each group and service (1 unless the file says).
    public var activeMinimum: Int
    /// What the region left is lowered to once the failover finished; nil: it keeps what it runs.
    public var standby: Int?

    public init(activeMinimum: Int = 1, standby: Int? = nil) {
        self.activeMinimum = activeMinimum
        self.standby = standby
    }
}

extension ApplicationSpec {
    /// `spec.capacity`, with its defaults when the file has none.
    public var capacity: CapacitySpec {
        get { declarations["capacity"] ?? CapacitySpec() }
        set { declarations["capacity"] = newValue }
    }
}

extension Step {
    /// The capacity a compute step raises to or lowers to.
    public var capacityFigure: Int? {
        get { attributes["capacity"]?.string.flatMap { Int($0) } }
        set { attributes["capacity"] = newValue.map { .string(String($0)) } }
    }
}

/// Reads `spec.capacity` (once, by the kind that owns it).
func readCapacity(_ file: inout KindReader) {
    guard let section = file.spec("capacity"), let entries = file.mapping(section, allowed: ["activeMinimum", "standby"]) else { return }
    var spec = CapacitySpec()
    if let entry = entries["activeMinimum"], let value = file.integer(entry, in: 0...100_000) { spec.activeMinimum = value }
    if let entry = entries["standby"], let value = file.integer(entry, in: 0...100_000) { spec.standby = value }
    file.declarations["capacity"] = spec
}
