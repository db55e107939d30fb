import Foundation

/// `metrics`: the facts of `status` in the Prometheus text exposition format, version 0.0.4 —
/// one sample per enabled schedule (labels `tenant` and `schedule`), `# HELP` and `# TYPE` for
/// each metric, label values escaped as the format says. Timestamps are Unix seconds, 0 when
/// there is none yet, so that `time() - x > 86400` alerts on a schedule that never succeeded.
public struct MetricsExposition: Sendable {
    /// The exposition, ending with a newline.
    public let text: String

    /// The statuses of the per-status metrics: a run's final ones.
    static let endedStatuses: [BackupRun.Status] = [.success, .partial, .failed, .skipped]

    public static func read(
        from store: Store, at now: Date, grace: TimeInterval = Dispatcher.defaultGrace
    ) async throws(TenantPilotError) -> MetricsExposition {
        let snapshot = try await MonitoringSnapshot.read(from: store, withHistory: true)
        let size = try await store.sizeInBytes()
        return MetricsExposition(snapshot: snapshot, storeSize: size, at: now, grace: grace)
    }

    init(snapshot: MonitoringSnapshot, storeSize: Int64, at now: Date, grace: TimeInterval) {
        let tenants = Dictionary(uniqueKeysWithValues: snapshot.tenants.map { ($0.rowID, $0.name) })
        let schedules = snapshot.schedules.compactMap { schedule in
            tenants[schedule.tenantId].map { (tenant: $0, schedule: schedule) }
        }.sorted { ($0.tenant, $0.schedule.name) < ($1.tenant, $1.schedule.name) }

        var out = ""
        func family(_ name: String, _ type: String, _ help: String, samples: () -> Void) {
            out += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type)\n"
            samples()
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            let rendered = labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",")
            out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(rendered)} \(value)\n"
        }
        func labels(_ entry: (tenant: String, schedule: BackupSchedule)) -> [(String, String)] {
            [("tenant", entry.tenant), ("schedule", entry.schedule.name)]
        }
        func seconds(_ instant: Instant?) -> String {
            instant.map { String(Int64($0.date.timeIntervalSince1970.rounded(.down))) } ?? "0"
        }

        family(
            "tenantpilot_schedule_last_success_timestamp_seconds", "gauge",
            "When the schedule's latest successful run ended, in Unix seconds (0: never)."
        ) {
            for entry in schedules {
                let run = snapshot.latestSuccess[entry.schedule.rowID]
                sample(
                    "tenantpilot_schedule_last_success_timestamp_seconds", labels(entry),
                    seconds(run.map { $0.finishedAt ?? $0.scheduledFor }))
            }
        }
        family(
            "tenantpilot_schedule_last_run_timestamp_seconds", "gauge",
            "When the run of the schedule's latest ended slot ended, in Unix seconds (0: none yet)."
        ) {
            for entry in schedules {
                let run = snapshot.latestEnded[entry.schedule.rowID]
                sample(
                    "tenantpilot_schedule_last_run_timestamp_seconds", labels(entry),
                    seconds(run.map { $0.finishedAt ?? $0.scheduledFor }))
            }
        }
        family(
            "tenantpilot_schedule_next_run_timestamp_seconds", "gauge",
            "The schedule's next slot, in Unix seconds (0: none)."
        ) {
            for entry in schedules {
                sample(
                    "tenantpilot_schedule_next_run_timestamp_seconds", labels(entry), seconds(entry.schedule.nextRunAt))
            }
        }
        family(
            "tenantpilot_schedule_last_run_status", "gauge",
            "1 for the status the run of the schedule's latest ended slot has, 0 for the others."
        ) {
            for entry in schedules {
                let status = snapshot.latestEnded[entry.schedule.rowID]?.status
                for candidate in Self.endedStatuses {
                    sample(
                        "tenantpilot_schedule_last_run_status", labels(entry) + [("status", candidate.rawValue)],
                        status == candidate ? "1" : "0")
                }
            }
        }
        family(
            "tenantpilot_schedule_ok", "gauge",
            "1 when `tenantpilot status` passes the schedule (state ok or pending), else 0."
        ) {
            for entry in schedules {
                let (state, _) = StatusReport.state(
                    of: entry.schedule, run: snapshot.latestEnded[entry.schedule.rowID],
                    set: snapshot.latestSet[entry.schedule.rowID], now: now, grace: grace)
                sample("tenantpilot_schedule_ok", labels(entry), state.isHealthy ? "1" : "0")
            }
        }
        family(
            "tenantpilot_runs_total", "counter", "Runs of the schedule in the kept history that ended in each status."
        ) {
            for entry in schedules {
                let counts = snapshot.endedCounts[entry.schedule.rowID] ?? [:]
                for status in Self.endedStatuses {
                    sample(
                        "tenantpilot_runs_total", labels(entry) + [("status", status.rawValue)],
                        String(counts[status] ?? 0))
                }
            }
        }
        family(
            "tenantpilot_backup_set_items", "gauge", "Items in the schedule's newest usable backup set (0: none)."
        ) {
            for entry in schedules {
                sample(
                    "tenantpilot_backup_set_items", labels(entry),
                    String(snapshot.latestSet[entry.schedule.rowID]?.itemCount ?? 0))
            }
        }
        family("tenantpilot_store_size_bytes", "gauge", "Bytes the store takes on disk (SQLite: the file and its WAL).")
        {
            sample("tenantpilot_store_size_bytes", [], String(storeSize))
        }
        text = out
    }

    /// A label value: backslash, double quote and line feed escaped (`\\`, `\"`, `\n`).
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// A `# HELP` text: backslash and line feed escaped.
    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
