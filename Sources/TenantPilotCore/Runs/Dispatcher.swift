import Foundation
import Logging

/// The cron entry point (docs/architecture.md): recovers runs left by dead processes, claims the due slot
/// of every due schedule exactly once, records missed slots, executes what it claimed, exits.
public struct Dispatcher: Sendable {
    public let executor: RunExecutor
    public var store: Store { executor.store }
    var logger: Logger { executor.logger }

    /// Default grace window for late cron ticks.
    public static let defaultGrace: TimeInterval = 300
    /// Missed slots are counted up to this many; past it the message says "more than".
    static let missedSlotCountCap = 10_000

    public init(executor: RunExecutor) {
        self.executor = executor
    }

    /// What one dispatch did.
    public struct Report: Sendable {
        public var now: Date
        /// Every run this dispatch created (skipped ones included), as they ended.
        public var runs: [RunDocument]
        /// Runs found abandoned by dead processes and marked failed.
        public var abandoned: [Int64] { abandonedRuns.map(\.id) }
        /// The same runs, as they were marked (`failed`, `ABANDONED`).
        public var abandonedRuns: [RunDocument]
        /// Why every next slot was recomputed first, if it was.
        public var realigned: Realignment? = nil
    }

    /// A run this dispatch created, with the schedule and tenant its claim read.
    struct ClaimedRun: Sendable {
        let run: BackupRun
        let schedule: BackupSchedule
        let tenant: Tenant

        var document: RunDocument { RunDocument(run, tenantName: tenant.name, scheduleName: schedule.name) }
    }

    public func dispatch(
        at now: Date, grace: TimeInterval = defaultGrace, concurrency: Int = 4, actor: String = ActorName.system
    ) async throws(TenantPilotError) -> Report {
        let abandoned = try await recoverAbandoned(at: now, actor: actor)
        for run in abandoned { await notifyEnded(run.document, tenantId: run.tenantId) }
        let realigned = try await realignNextSlots(at: now, grace: grace)
        let (claimed, skipped) = try await claimDueSlots(at: now, grace: grace)

        if !claimed.isEmpty || !skipped.isEmpty {
            let metadata: [String: JSONValue] = [
                "runs_created": .int(Int64(claimed.count + skipped.count)),
                "runs_to_execute": .int(Int64(claimed.count)),
                "missed_slots_recorded": .int(Int64(skipped.count)), "abandoned": .int(Int64(abandoned.count)),
            ]
            try await store.write { tx in
                try tx.audit.record(
                    at: now, actor: actor, tenantId: nil, action: .dispatched, resource: .dispatch, resourceId: nil,
                    metadata: metadata)
            }
        }

        // A missed slot's run ends as it is recorded.
        for run in skipped { await notifyEnded(run.document, tenantId: run.tenant.rowID) }
        let finished = try await execute(claimed, concurrency: max(1, concurrency))
        // The report comes from what the claims read and the runs returned: no second read.
        let documents = (skipped + finished).sorted { $0.run.rowID < $1.run.rowID }.map(\.document)
        return Report(now: now, runs: documents, abandonedRuns: abandoned.map(\.document), realigned: realigned)
    }

    private func notifyEnded(_ run: RunDocument, tenantId: Int64) async {
        await executor.observer?.runEnded(run, tenantId: tenantId)
    }

    /// Marks runs whose process died `failed`/`ABANDONED`, and drops their unfinished sets so
    /// that no half-written set ever appears as a backup.
    func recoverAbandoned(at now: Date, actor: String) async throws(TenantPilotError) -> [(
        document: RunDocument, tenantId: Int64
    )] {
        // A cheap read first: almost every dispatch finds no unfinished run at all.
        let candidates = try await store.read { tx in try Self.abandonedRuns(tx) }
        guard !candidates.isEmpty else { return [] }
        let recovered = try await store.write { tx in
            var recovered: [(document: RunDocument, tenantId: Int64)] = []
            for run in try Self.abandonedRuns(tx) {
                let stamp = Instant(now)
                let message =
                    "the process that was running it (\(run.process ?? "unknown")) ended before the run finished"
                try tx.runs.abandon(run.rowID, message: message, at: stamp)
                var ended = run
                ended.status = .failed
                ended.errorCode = .abandoned
                ended.errorMessage = message
                ended.finishedAt = stamp
                if ended.trigger != .restore { ended.backupSetId = nil }
                try BackupSetDeletion.delete(tx, setIds: try tx.backupSets.building(ofRuns: [run.rowID]))
                if let scheduleId = run.scheduleId {
                    try tx.schedules.recordLastRun(scheduleId, status: .failed, at: stamp)
                }
                try tx.audit.record(
                    at: now, actor: actor, tenantId: run.tenantId, action: .runCompleted, resource: .run,
                    resourceId: String(run.rowID), status: BackupRun.Status.failed.rawValue,
                    metadata: [
                        "schedule_id": run.scheduleId.map(JSONValue.int) ?? .null,
                        "scheduled_for": .string(run.scheduledFor.text),
                        "trigger": .string(run.trigger.rawValue), "status": .string(BackupRun.Status.failed.rawValue),
                        "error_code": .string(ErrorCode.abandoned.rawValue),
                    ])
                let tenantName = try tx.tenants.find(id: run.tenantId)?.name ?? "tenant \(run.tenantId)"
                let scheduleName = try run.scheduleId.flatMap { try tx.schedules.names(ids: [$0])[$0] }
                recovered.append((RunDocument(ended, tenantName: tenantName, scheduleName: scheduleName), run.tenantId))
            }
            return recovered
        }
        logger.info(
            "marked runs of dead processes ABANDONED", metadata: ["runs": "\(recovered.map(\.document.id))"])
        return recovered
    }

    /// Runs that a dead process left `pending` or `running`. The store tells a dead owner from
    /// a live one (SQLite by the process identity, PostgreSQL by the run's lock, from any host),
    /// so a run in progress is never taken.
    static func abandonedRuns(_ tx: any StoreTransaction) throws -> [BackupRun] {
        let unfinished = try tx.runs.unfinished()
        if unfinished.isEmpty { return [] }
        let gone = try tx.abandoned(among: unfinished)
        return unfinished.filter { gone.contains($0.rowID) }
    }

    /// For every schedule whose `next_run_at` has come: claims the latest slot inside the grace
    /// window, records the latest missed slot before it, and advances `next_run_at` — all in one
    /// transaction per schedule, so any number of concurrent dispatchers create each run once.
    func claimDueSlots(at now: Date, grace: TimeInterval) async throws(TenantPilotError) -> (
        claimed: [ClaimedRun], skipped: [ClaimedRun]
    ) {
        let dueIds = try await store.read { tx in try tx.schedules.dueIds(at: Instant(now)) }
        logger.debug("schedules due", metadata: ["count": "\(dueIds.count)"])
        var claimed: [ClaimedRun] = []
        var skipped: [ClaimedRun] = []
        // On a store that several hosts share, every dispatcher walks the due schedules in an
        // order of its own, so their claims spread over the hosts (each claims at its own pace)
        // instead of all racing for the same schedule, the slowest losing every race.
        for id in store.isShared ? dueIds.shuffled() : dueIds {
            let outcome = try await store.write { tx in try Self.claim(tx, scheduleId: id, now: now, grace: grace) }
            if let run = outcome.claimed { claimed.append(run) }
            if let run = outcome.missed { skipped.append(run) }
            if outcome.claimed == nil && outcome.missed == nil {
                logger.debug("schedule already advanced by another dispatcher", metadata: ["schedule": "\(id)"])
            }
        }
        return (claimed, skipped)
    }

    static func claim(
        _ tx: any StoreTransaction, scheduleId: Int64, now: Date, grace: TimeInterval
    ) throws -> (claimed: ClaimedRun?, missed: ClaimedRun?) {
        // Re-read inside the write transaction: another dispatcher may have advanced it.
        guard let schedule = try tx.schedules.find(id: scheduleId), schedule.enabled, !schedule.isRemoved,
            let next = schedule.nextRunAt?.date, next <= now,
            let tenant = try tx.tenants.find(id: schedule.tenantId)
        else { return (nil, nil) }

        let timetable = schedule.timetable
        let zone = try ScheduleZone.resolve(schedule.timezone)
        let windowStart = now.addingTimeInterval(-grace)
        // The due slot: the latest slot s with now − grace < s ≤ now, never before next_run_at.
        let lowerBound = max(next, windowStart.addingTimeInterval(1))
        let due = timetable.latestSlot(atOrBefore: now, notBefore: lowerBound, in: zone)

        // Slots from next_run_at up to the window's start were missed: no catch-up, one record.
        var missed: ClaimedRun?
        if next <= windowStart {
            // Counted up to a cap, so that a gap of years costs no more than a gap of a week.
            let missedCount = timetable.countSlots(
                after: next.addingTimeInterval(-1), through: windowStart, in: zone, limit: Self.missedSlotCountCap + 1)
            if missedCount > 0,
                let latestMissed = timetable.latestSlot(atOrBefore: windowStart, notBefore: next, in: zone)
            {
                let counted = missedCount > Self.missedSlotCountCap ? "more than 10,000" : "\(missedCount)"
                let message =
                    missedCount == 1
                    ? "1 slot missed (\(ISO8601.minuteString(latestMissed))): dispatch did not run within the grace window; no catch-up"
                    : "\(counted) slots missed (\(ISO8601.minuteString(next)) to \(ISO8601.minuteString(latestMissed))): dispatch did not run within the grace window; no catch-up"
                if let run = try tx.runs.recordSkipped(
                    scheduleId: schedule.rowID, tenantId: tenant.rowID, slot: Instant(latestMissed).minute,
                    code: .missedSlot,
                    message: message, at: Instant(now))
                {
                    missed = ClaimedRun(run: run, schedule: schedule, tenant: tenant)
                    try tx.schedules.recordLastRun(schedule.rowID, status: .skipped, at: Instant(now))
                }
            }
        }

        var claimed: ClaimedRun?
        if let due {
            switch try tx.runs.claimSlot(
                scheduleId: schedule.rowID, tenantId: tenant.rowID, slot: Instant(due).minute, trigger: .scheduled,
                retryOf: nil, actor: nil, process: ProcessIdentity.current, host: HostIdentity.current,
                at: Instant(now))
            {
            case .claimed(let run): claimed = ClaimedRun(run: run, schedule: schedule, tenant: tenant)
            case .taken: break
            }
        }

        try tx.schedules.advance(
            schedule.rowID, to: timetable.nextSlot(after: now, in: zone).map { Instant($0).minute })
        return (claimed, missed)
    }

    /// Executes claimed runs, at most `concurrency` at once.
    func execute(_ claimed: [ClaimedRun], concurrency: Int) async throws(TenantPilotError) -> [ClaimedRun] {
        let executor = self.executor
        var finished: [ClaimedRun] = []
        var failure: TenantPilotError?
        await withTaskGroup(of: Result<ClaimedRun, TenantPilotError>.self) { group in
            var pending = claimed[...]
            func startNext() {
                guard let next = pending.popFirst() else { return }
                group.addTask {
                    do throws(TenantPilotError) {
                        let run = try await executor.execute(next.run, schedule: next.schedule, tenant: next.tenant)
                        return .success(ClaimedRun(run: run, schedule: next.schedule, tenant: next.tenant))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<concurrency { startNext() }
            while let result = await group.next() {
                switch result {
                case .success(let run): finished.append(run)
                case .failure(let error): failure = failure ?? error
                }
                startNext()
            }
        }
        if let failure, finished.isEmpty { throw failure }
        return finished
    }
}
