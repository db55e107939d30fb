import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The store's checks: it opens and is migrated, passes `PRAGMA integrity_check`, only its
/// owner can read it, its folder is not open to others, and its lock folder is writable.
extension Doctor {
    func checkStore() async -> (checks: [DoctorCheck], store: Store?) {
        let url = URL(fileURLWithPath: databasePath)
        let folder = url.deletingLastPathComponent().path
        var checks: [DoctorCheck] = []
        if let folderCheck = checkStoreFolder(folder) { checks.append(folderCheck) }

        switch FileStatus.of(databasePath) {
        case .failure(let error) where error.doesNotExist:
            // Reported, never created: every command but `tenants add`/`import` would fail here.
            checks.append(.fail("store", "STORE_NOT_FOUND: " + TenantPilotError.storeNotFound(location).message))
            return (checks, nil)
        case .failure(let error):
            checks.append(.fail("store", "cannot examine \(databasePath): \(error.message)"))
            return (checks, nil)
        case .success(let status) where status.kind != .file:
            checks.append(.fail("store", "\(databasePath) is not a regular file"))
            return (checks, nil)
        case .success(let status):
            let store: Store
            do {
                store = try await Store.open(path: databasePath)
            } catch {
                checks.append(.fail("store", error.message))
                return (checks, nil)
            }
            checks.append(await checkContent(of: store))
            checks.append(checkFileModes(status))
            return (checks, store)
        }
    }

    /// Journal mode, applied migrations and integrity, as one line.
    private func checkContent(of store: Store) async -> DoctorCheck {
        do {
            let health = try await store.health()
            if health.appliedMigrations != health.knownMigrations {
                return .fail(
                    "store",
                    "\(databasePath) has \(health.appliedMigrations) of \(health.knownMigrations) migrations applied")
            }
            if !health.integrityProblems.isEmpty {
                let problems = health.integrityProblems.prefix(3).joined(separator: "; ")
                return .fail(
                    "store",
                    "\(databasePath) fails PRAGMA integrity_check: \(problems). Restore it from your copy of the store "
                        + "(see docs/operations.md)")
            }
            let wal = health.journalMode.lowercased() == "wal"
            let mode = wal ? "WAL" : "journal mode \(health.journalMode)"
            let unit = health.appliedMigrations == 1 ? "migration" : "migrations"
            let line = "\(databasePath) (\(mode), \(health.appliedMigrations) \(unit), integrity ok)"
            return wal ? .ok("store", line) : .warn("store", line)
        } catch {
            return .fail("store", error.message)
        }
    }

    /// The file and its `-wal`/`-shm` companions must be readable by their owner only.
    private func checkFileModes(_ status: FileStatus) -> DoctorCheck {
        var exposed: [String] = []
        if status.readableByOthers || status.writableByOthers { exposed.append("\(databasePath) (\(status.octal))") }
        for suffix in ["-wal", "-shm"] {
            let path = databasePath + suffix
            if case .success(let companion) = FileStatus.of(path),
                companion.readableByOthers || companion.writableByOthers
            {
                exposed.append("\(path) (\(companion.octal))")
            }
        }
        if exposed.isEmpty {
            return .ok("store file mode", "\(status.octal), readable by its owner only")
        }
        return .fail(
            "store file mode",
            "group or others can access \(exposed.joined(separator: ", ")); run chmod 600 on \(exposed.count == 1 ? "it" : "them")"
        )
    }

    /// The store's folder: others may not write to it, and had better not list it.
    private func checkStoreFolder(_ folder: String) -> DoctorCheck? {
        switch FileStatus.of(folder) {
        case .failure(let error) where error.doesNotExist:
            return nil  // reported by the store check: nothing there yet
        case .failure(let error):
            return .fail("store folder", "cannot examine \(folder): \(error.message)")
        case .success(let status):
            if status.kind != .directory {
                return .fail("store folder", "\(folder) is not a folder")
            }
            if status.mode & 0o002 != 0 {
                return .fail(
                    "store folder", "\(folder) is writable by everyone (\(status.octal)); run chmod 700 \(folder)")
            }
            if status.accessibleByWorld {
                return .warn(
                    "store folder",
                    "\(folder) can be listed by everyone (\(status.octal)); chmod 700 \(folder) keeps it private")
            }
            return .ok("store folder", "\(folder) (\(status.octal))")
        }
    }

    /// `<db>.locks/`: exists and is writable, or can be created.
    func checkLockFolder() -> DoctorCheck {
        let folder = databasePath + ".locks"
        switch FileStatus.of(folder) {
        case .success(let status):
            guard status.kind == .directory else {
                return .fail(
                    "lock folder", "\(folder) is not a folder; move it away so tenantpilot can create its lock folder")
            }
            guard FileStatus.accessible(folder, W_OK | X_OK) else {
                return .fail("lock folder", "\(folder) is not writable by this user; runs could not take their locks")
            }
            if status.writableByOthers {
                return .warn("lock folder", "\(folder) is writable by others (\(status.octal)); chmod 700 \(folder)")
            }
            return .ok("lock folder", "\(folder) (writable)")
        case .failure(let error) where error.doesNotExist:
            let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
            if FileStatus.accessible(parent, W_OK | X_OK) {
                return .ok("lock folder", "\(folder) (created on first use)")
            }
            if case .failure(let parentError) = FileStatus.of(parent), parentError.doesNotExist {
                return .ok("lock folder", "\(folder) (created with the store)")
            }
            return .fail("lock folder", "\(folder) does not exist and \(parent) is not writable by this user")
        case .failure(let error):
            return .fail("lock folder", "cannot examine \(folder): \(error.message)")
        }
    }
}
