import Foundation

/// The PostgreSQL store's checks, in place of the SQLite file's (file mode, WAL, lock folder):
/// the server answers and the login works, the migrations are applied, the connection's
/// encryption, and the advisory locks that runs take.
extension Doctor {
    func checkPostgreSQLStore(_ location: PostgreSQLLocation) async -> (checks: [DoctorCheck], store: Store?) {
        let shown = location.displayURL
        let store: Store
        do {
            store = try await Store.open(.postgreSQL(location), mustExist: true, logger: dependencies.logger)
        } catch  where error.code == .storeNotFound {
            // Reported, never created: every command but `tenants add`/`import` would fail here.
            return ([.fail("store", "STORE_NOT_FOUND: " + error.message)], nil)
        } catch {
            return ([.fail("store", error.message)], nil)
        }
        let health: StoreHealth
        do {
            health = try await store.health()
        } catch {
            return ([.fail("store", error.message)], store)
        }
        guard let server = health.server else {
            return ([.fail("store", "\(shown) did not describe its server")], store)
        }
        var checks: [DoctorCheck] = [
            .ok("store", "\(shown) (PostgreSQL \(server.version), user \(server.user), database \(server.database))")
        ]
        if health.appliedMigrations == health.knownMigrations {
            checks.append(.ok("store migrations", "\(health.appliedMigrations) of \(health.knownMigrations) applied"))
        } else {
            checks.append(
                .fail(
                    "store migrations", "\(shown) has \(health.appliedMigrations) of \(health.knownMigrations) applied")
            )
        }
        checks.append(checkEncryption(location, tls: server.tls))
        checks.append(await checkLocks(store, held: server.scheduleLocksHeld))
        return (checks, store)
    }

    /// A connection across a network should be encrypted and the server's certificate checked.
    private func checkEncryption(_ location: PostgreSQLLocation, tls: Bool) -> DoctorCheck {
        let mode = "sslmode=\(location.sslMode.rawValue)"
        if tls {
            if location.sslMode.verifiesCertificate {
                return .ok("store encryption", "TLS, server certificate verified (\(mode))")
            }
            return .warn(
                "store encryption",
                "TLS, but the server's certificate is not checked (\(mode)); use sslmode=verify-full with sslrootcert")
        }
        if InputValidation.isLoopback(location.host) {
            return .ok("store encryption", "no TLS (\(mode)), on the loopback interface")
        }
        return .warn(
            "store encryption",
            "not encrypted (\(mode)) across the network to \(location.host); use sslmode=verify-full with sslrootcert")
    }

    /// Runs take session advisory locks; one taken and given back shows they work for this user.
    private func checkLocks(_ store: Store, held: Int) async -> DoctorCheck {
        do {
            guard let probe = try await store.tryLock(.tenant(0), mode: .shared) else {
                return .fail("locks", "the advisory lock of the probe is held exclusively by another session")
            }
            probe.release()
        } catch {
            return .fail("locks", "cannot take an advisory lock: \(error.message)")
        }
        let running = held == 1 ? "1 schedule lock held" : "\(held) schedule locks held"
        return .ok("locks", "session advisory locks work (\(running) by runs in progress)")
    }
}
