import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tenant and schedule checks: every secret source is usable by this user in this
/// environment, every schedule names known types, and no slot is overdue (cron is dispatching).
extension Doctor {
    func checkTenants(_ store: Store) async -> (checks: [DoctorCheck], tenants: [Tenant]) {
        do {
            let tenants = try await TenantService(store: store).list()
            if tenants.isEmpty {
                return ([.warn("tenants", "none registered; add one with `tenantpilot tenants add`")], [])
            }
            let names = tenants.map(\.name).joined(separator: ", ")
            return ([.ok("tenants", "\(tenants.count) registered (\(names))")], tenants)
        } catch {
            return ([.fail("tenants", error.message)], [])
        }
    }

    /// Whether the secret can be read the way a run reads it — never reading it into output.
    func checkSecret(of tenant: Tenant) -> DoctorCheck {
        if let certificateFile = tenant.certificateFile {
            return checkCertificate(
                of: tenant,
                CertificateCredential(certificateFile: certificateFile, privateKeyFile: tenant.privateKeyFile))
        }
        let name = "secret of tenant \(tenant.name)"
        if let variable = tenant.secretEnv {
            guard let value = dependencies.environment[variable] else {
                return .fail(
                    name,
                    "environment variable \(variable) is not set (cron and systemd start with an almost empty environment: "
                        + "see docs/operations.md, Secrets)")
            }
            if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return .fail(name, "environment variable \(variable) is empty")
            }
            return .ok(name, "environment variable \(variable) is set")
        }
        guard let path = tenant.secretFile else {
            return .fail(
                name,
                "the tenant names no secret source; register it again with --client-secret-env or --client-secret-file")
        }
        switch FileStatus.of(path) {
        case .failure(let error) where error.doesNotExist:
            return .fail(name, "file \(path) does not exist")
        case .failure(let error):
            return .fail(name, "cannot examine file \(path): \(error.message)")
        case .success(let status):
            guard status.kind == .file else { return .fail(name, "\(path) is not a regular file") }
            do {
                try SecretFile.check(path, requirePrivateMode: false)
            } catch {
                return .fail(name, error.message)
            }
            guard FileStatus.accessible(path, R_OK) else {
                return .fail(name, "file \(path) is not readable by this user")
            }
            if status.readableByOthers {
                return .fail(
                    name, "file \(path) is readable by group or others (\(status.octal)); run chmod 600 \(path)")
            }
            if status.size == 0 { return .fail(name, "file \(path) is empty") }
            if status.writableByOthers {
                return .warn(
                    name, "file \(path) is writable by group or others (\(status.octal)); run chmod 600 \(path)")
            }
            return .ok(name, "file \(path) (\(status.octal))")
        }
    }

    /// A certificate credential (docs/operations.md §2): both files readable, the key the certificate's; its
    /// subject, thumbprint and expiry shown. Fails when it has expired, warns within 30 days of
    /// it and when group or others can read the key. The key never appears.
    func checkCertificate(of tenant: Tenant, _ credential: CertificateCredential) -> DoctorCheck {
        let name = "certificate of tenant \(tenant.name)"
        let summary: CertificateSummary
        do {
            summary = try credential.load().summary
        } catch {
            return .fail(name, error.message)
        }
        let now = dependencies.clock.now()
        let shown = "\(summary.line) (\(credential.description))"
        if summary.notValidAfter <= now {
            return .fail(
                name,
                "\(shown): it has expired; runs fail with GRAPH_AUTH_FAILED until a new one is uploaded and registered")
        }
        var concerns: [String] = []
        let left = summary.notValidAfter.timeIntervalSince(now)
        if left < InputValidation.certificateExpiryWarning {
            let days = Int(left / 86_400)
            concerns.append("it expires in \(days) day\(days == 1 ? "" : "s"); renew it in time")
        }
        if credential.keyReadableByOthers(), case .success(let status) = FileStatus.of(credential.keyFile) {
            concerns.append(
                "the key file \(credential.keyFile) is readable by group or others (\(status.octal)); run chmod 600 \(credential.keyFile)"
            )
        }
        if concerns.isEmpty { return .ok(name, shown) }
        return .warn(name, "\(shown): " + concerns.joined(separator: "; "))
    }

    /// Schedules naming unknown types, and slots overdue past the grace window.
    func checkSchedules(_ store: Store, registry: PolicyTypeRegistry?) async -> [DoctorCheck] {
        let rows: [ScheduleOverview]
        do {
            rows = try await store.read { tx in try tx.schedules.overview() }
        } catch {
            return [.fail("schedules", error.message)]
        }
        var checks: [DoctorCheck] = []
        let enabled = rows.filter(\.enabled)
        if rows.isEmpty {
            checks.append(.warn("schedules", "none; add one with `tenantpilot schedules add`"))
        } else if let registry {
            let unknown = rows.compactMap { row -> String? in
                let missing = row.policyTypes.filter { registry.type(forKey: $0) == nil }
                return missing.isEmpty ? nil : "\(row.label) (\(missing.joined(separator: ", ")))"
            }
            if unknown.isEmpty {
                checks.append(
                    .ok(
                        "schedules", "\(rows.count) (\(enabled.count) enabled), every policy type known to the registry"
                    ))
            } else {
                checks.append(
                    .warn(
                        "schedules",
                        "types unknown to the registry in \(unknown.joined(separator: "; ")): those runs end partial or skipped "
                            + "with UNKNOWN_POLICY_TYPE; fix with `tenantpilot schedules update ID --types …`"))
            }
        } else {
            checks.append(
                .skipped("schedules", "\(rows.count) (\(enabled.count) enabled); types not checked without a registry"))
        }
        checks.append(checkDispatching(enabled.map { ($0.label, $0.nextRunAt) }))
        return checks
    }

    /// If an enabled schedule's next slot lies further back than the grace window, no dispatch
    /// has run since: cron is not calling `tenantpilot dispatch` for this store.
    private func checkDispatching(_ schedules: [(label: String, nextRunAt: Instant?)]) -> DoctorCheck {
        guard !schedules.isEmpty else { return .ok("dispatch", "no enabled schedule, nothing to dispatch") }
        let now = dependencies.clock.now()
        let overdue = schedules.compactMap { schedule -> (String, Date)? in
            guard let next = schedule.nextRunAt?.date, next < now.addingTimeInterval(-dispatchGrace)
            else { return nil }
            return (schedule.label, next)
        }.sorted { $0.1 < $1.1 }
        guard let oldest = overdue.first else {
            return .ok("dispatch", "no slot overdue")
        }
        let minutes = Int(now.timeIntervalSince(oldest.1) / 60)
        return .warn(
            "dispatch",
            "the slot \(ISO8601.string(oldest.1)) of \(oldest.0) passed \(minutes) minutes ago without a dispatch"
                + (overdue.count > 1 ? " (\(overdue.count) schedules overdue)" : "")
                + "; is cron calling `tenantpilot dispatch` every minute with this store?")
    }
}
