import AWS
import DesiredState

/// Promoting, and waiting: exactly once across crashes, an answer that was lost re-read and never re-sent.
extension GlobalDatabaseKind {
    public func act(_ step: Step, _ app: Application, _ context: StepContext) async throws -> StepOutcome {
        guard let declared = Flavor.declaration(app), let target = ClusterARN(step.resource) else {
            throw ReconcileError("\(step.resource) is not a cluster ARN")
        }
        let (say, options, calls, control) = (context.say, context.options, context.calls, control)
        let id = declared.globalClusterID
        let read: @Sendable () async throws -> GlobalDatabase = {
            try await calls.call("rds \(target.region)", read: true) { try await control.globalCluster(id: id, region: target.region) }
        }
        // Re-observe: a promotion may have been issued by a run that crashed, or be finished already.
        var global = try await read()
        var requestID: String?
        if let state = global.failoverState, let status = state.status, !status.isEmpty {
            guard state.toDBClusterArn == step.resource else {
                throw StepFailure(
                    code: StepCode.promotionElsewhere,
                    message:
                        "global cluster \(id) is \(status) toward \(state.toDBClusterArn ?? "another cluster"); not promoting")
            }
            say("  a promotion to \(target.region) is already under way (\(status)); waiting for it, issuing nothing")
        } else if global.writer?.dbClusterArn == step.resource {
            return StepOutcome(step: step, status: .alreadyDone, message: "\(target.clusterID) is already the writer")
        } else {
            guard let mode = step.promotion, step.action == Flavor.promote else {
                if step.action == Flavor.await, step.promotion == nil {
                    // Planned while the writer could not be read: it is not in the target, so traffic stays.
                    return StepOutcome(
                        step: step, status: .pending,
                        message: "the writer is not \(target.clusterID); the next pass plans the promotion with its safety checks",
                        code: StepCode.writerUnknown)
                }
                throw StepFailure(
                    code: StepCode.promotionEnded,
                    message: "no promotion is under way any more, and \(target.clusterID) is not the writer; plan again")
            }
            try context.announce(step)
            do {
                requestID = try await calls.call("rds \(target.region)", read: false) {
                    try await control.promote(mode, globalClusterID: id, target: target)
                }
            } catch let error as AWSError where RetryClassifier.verdict(for: error) == .permanent && error.kind == .service {
                throw StepFailure(
                    code: StepCode.promotionRefused, blocks: true, message: "RDS refused the \(mode.rawValue) of \(target.clusterID): \(error)",
                    awsError: error)
            } catch let error as AWSError where Applier.mayHaveActed(error) {
                // The request may have been acted on (5xx, timeout, a garbled answer): never send it again, and
                // never go on as if it had worked. Re-read the cluster: only what AWS shows decides.
                context.record(step, requestID: error.requestID)
                say("  the \(mode.rawValue) call's answer is unknown (\(error.code)); re-reading the global cluster, not re-sending")
                return try await settleAmbiguous(step, mode: mode, target: target, cause: error, read: read, context: context)
            }
            context.record(step, requestID: requestID)
            if mode == .detach {
                return try await awaitDetached(step, target: target, requestID: requestID, context: context)
            }
            guard options.wait else {
                return StepOutcome(
                    step: step, status: .started, message: "\(mode.rawValue) issued; not waiting, as asked",
                    code: StepCode.notWaiting, requestID: requestID)
            }
            global = try await read()
        }
        return try await awaitWriter(step, target: target, global: global, requestID: requestID, read: read, context: context)
    }

    /// Waits until the target is the writer and no failover is under way.
    func awaitWriter(
        _ step: Step, target: ClusterARN, global first: GlobalDatabase, requestID: String?,
        read: @Sendable () async throws -> GlobalDatabase, context: StepContext
    ) async throws -> StepOutcome {
        var global = first
        while true {
            let state = global.failoverState?.status ?? ""
            if state.isEmpty, global.writer?.dbClusterArn == step.resource {
                return StepOutcome(step: step, status: .done, message: "\(target.clusterID) is the writer", requestID: requestID)
            }
            if state.isEmpty, requestID == nil {
                // We were waiting on a promotion issued earlier; it ended without making the target the writer.
                throw StepFailure(
                    code: StepCode.promotionEnded,
                    message: "the promotion under way ended without making \(target.clusterID) the writer; plan again")
            }
            context.say(
                "  waiting: global cluster \(global.identifier) \(global.status)\(state.isEmpty || state == global.status ? "" : ", failover \(state)"); writer \(global.writer.map { ClusterARN($0.dbClusterArn)?.region ?? $0.dbClusterArn } ?? "none")"
            )
            try await Task.sleep(for: context.options.pollInterval)
            global = try await read()
        }
    }

    /// After a promotion call whose answer is unknown: wait for the promotion when AWS shows it, else stop here.
    func settleAmbiguous(
        _ step: Step, mode: PromotionMode, target: ClusterARN, cause: AWSError,
        read: @Sendable () async throws -> GlobalDatabase, context: StepContext
    ) async throws -> StepOutcome {
        let global: GlobalDatabase
        do {
            global = try await read()
        } catch {
            throw StepFailure(
                code: StepCode.promotionUnobservable, pending: true,
                message: "the \(mode.rawValue) call's answer was lost (\(cause)) and the global cluster cannot be read (\(error)); "
                    + "not re-sending: run again once RDS in \(target.region) answers", awsError: cause)
        }
        let underWay = global.failoverState?.status.map { !$0.isEmpty } ?? false
        let towardTarget = underWay && global.failoverState?.toDBClusterArn == step.resource
        if mode == .detach, let cluster = try? await dbCluster(target, context), cluster.globalClusterIdentifier == nil {
            return try await awaitDetached(step, target: target, requestID: cause.requestID, context: context)
        }
        guard mode != .detach, towardTarget || global.writer?.dbClusterArn == step.resource else {
            throw StepFailure(
                code: StepCode.promotionAmbiguous, pending: true,
                message: "the \(mode.rawValue) call's answer was lost (\(cause)) and RDS shows no promotion of \(target.clusterID); "
                    + "not re-sending within this pass: the next pass re-reads and decides", awsError: cause)
        }
        guard context.options.wait else {
            return StepOutcome(
                step: step, status: .started, message: "\(mode.rawValue) under way; not waiting, as asked",
                code: StepCode.notWaiting, requestID: cause.requestID)
        }
        context.say("  RDS shows the \(mode.rawValue) under way; waiting for it")
        return try await awaitWriter(step, target: target, global: global, requestID: cause.requestID ?? "unknown", read: read, context: context)
    }

    func awaitDetached(_ step: Step, target: ClusterARN, requestID: String?, context: StepContext) async throws -> StepOutcome {
        while true {
            if let cluster = try await dbCluster(target, context), cluster.globalClusterIdentifier == nil, cluster.status == "available" {
                return StepOutcome(step: step, status: .done, message: "\(target.clusterID) is detached and writes standalone", requestID: requestID)
            }
            guard context.options.wait else {
                return StepOutcome(
                    step: step, status: .started, message: "detach issued; not waiting, as asked", code: StepCode.notWaiting,
                    requestID: requestID)
            }
            context.say("  waiting: \(target.clusterID) to leave the global database")
            try await Task.sleep(for: context.options.pollInterval)
        }
    }

    func dbCluster(_ arn: ClusterARN, _ context: StepContext) async throws -> AuroraCluster? {
        try await context.calls.call("rds \(arn.region)", read: true) { [control] in try await control.dbCluster(arn) }
    }
}
