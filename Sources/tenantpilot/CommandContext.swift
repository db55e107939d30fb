import ArgumentParser
import Foundation
import Logging
import TenantPilotCore

/// What a command body works with: the resolved options and the injected dependencies.
struct CommandContext {
    let json: Bool
    let actor: String
    /// The store this command was pointed at, and which rule chose it.
    let location: StoreLocation
    /// Which database that is (a SQLite file, or PostgreSQL with its password found).
    let database: StoreDatabase
    /// The store as messages name it (a path, or a URL without any password).
    var databasePath: String { database.displayName }
    let dependencies: Dependencies
    /// Where the clock was set from when it is not the system clock (`--now`, `TENANTPILOT_NOW`).
    let clockSource: String?
    /// The stores this command opened, closed when it ends.
    private let opened = OpenedStores()
    /// The hooks this command fires, waited for before it ends.
    private let notifiers = OpenedNotifiers()

    init(options: GlobalOptions) throws(TenantPilotError) {
        let environment = ProcessInfo.processInfo.environment
        let clock: Clock
        if let text = options.now ?? environment["TENANTPILOT_NOW"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let source = options.now != nil ? "--now" : "TENANTPILOT_NOW"
            guard let start = ISO8601.parse(text) else {
                throw .invalid(
                    "\(source): \(PlainText.escaped(text).debugDescription) is not an ISO-8601 instant (example: 2026-03-29T01:30:00Z)"
                )
            }
            clock = .starting(at: start)
            clockSource = source
        } else {
            clock = .system
            clockSource = nil
        }
        if let actor = options.actor { _ = try ActorName.validated(actor) }
        if options.db?.isEmpty == true {
            throw .invalid("--db \"\" names no file; give the store's path, or leave --db out")
        }
        if options.dbPasswordFile?.isEmpty == true {
            throw .invalid("--db-password-file \"\" names no file; give the password file's path, or leave it out")
        }
        self.json = options.json
        self.actor = ActorName.resolve(explicit: options.actor, environment: environment)
        let logger = Diagnostics.logger(level: options.diagnosticLevel)
        self.location = StateLocation.resolve(explicit: options.db, environment: environment)
        self.database = try StoreDatabase.resolve(
            location, passwordFile: options.dbPasswordFile, environment: environment, logger: logger)
        self.dependencies = Dependencies(clock: clock, environment: environment, logger: logger)
    }

    /// Says on stderr that this command writes with a clock that is not the system's, so that a
    /// rehearsal is never mistaken for the real thing (its instants go into the store).
    func announceClock() {
        guard let clockSource else { return }
        CommandOutput.writeError(
            "note: the clock of this command is \(ISO8601.string(dependencies.clock.now())), set by \(clockSource), not the system clock\n"
        )
    }

    /// The invocation's clock, read now.
    var now: Date { dependencies.clock.now() }

    /// Opens (and migrates) the store, which must exist: only the commands that create things
    /// create one (`openOrCreateStore`); every other command pointed at a path with no store (or
    /// a PostgreSQL database without tenantpilot's tables) fails with `STORE_NOT_FOUND` instead
    /// of starting an empty one. It is closed when the command ends.
    func openStore() async throws(TenantPilotError) -> Store {
        try await open(ifMissing: .refuse)
    }

    /// Opens the store, creating it where there is none (`tenants add`, `tenants import`).
    func openOrCreateStore() async throws(TenantPilotError) -> Store {
        try await open(ifMissing: .create)
    }

    private func open(ifMissing missing: Store.Missing) async throws(TenantPilotError) -> Store {
        let store = try await Store.open(database, location: location, ifMissing: missing, logger: dependencies.logger)
        opened.add(store)
        return store
    }

    /// Closes the stores this command opened. A failure to close is only worth a warning: the
    /// command's work is committed.
    func closeStores() async {
        for store in opened.removeAll() {
            do {
                try await store.close()
            } catch {
                dependencies.logger.warning("could not close the store", metadata: ["error": "\(error.message)"])
            }
        }
    }

    /// The policy-type registry of this invocation.
    func registry() throws(TenantPilotError) -> PolicyTypeRegistry {
        try PolicyTypeRegistry.load(environment: dependencies.environment)
    }

    /// Prints a value as the one JSON document of this invocation, or a human rendering.
    func emit<T: Encodable>(_ value: T, human: () -> String) {
        if json {
            CommandOutput.printJSON(value)
        } else {
            let text = human()
            if !text.isEmpty { CommandOutput.printLine(text) }
        }
    }

    /// Ends the command with `status` (docs/cli.md) after its output; returns for 0.
    func exit(with status: Int32) throws {
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// The run pipeline for this invocation, backed by the real Graph client; its runs fire the
    /// store's hooks.
    func runExecutor(store: Store, deadline: RunDeadline = .standard) throws(TenantPilotError) -> RunExecutor {
        RunExecutor(
            store: store, registry: try registry(), clock: dependencies.clock,
            backup: BackupService(store: store, dependencies: dependencies), deadline: deadline,
            logger: dependencies.logger, observer: hooks(store: store))
    }

    /// The hooks of `store` for this command: deliveries run in the background, and the command
    /// waits for them (`finishHooks`) before it ends; a failed one is one line on stderr.
    func hooks(store: Store) -> HookNotifier {
        notifiers.notifier(for: store) {
            HookNotifier(store: store, dependencies: dependencies, actor: actor) { line in
                CommandOutput.writeError(line + "\n")
            }
        }
    }

    /// Waits for the deliveries still going (each bounded by its timeouts).
    func finishHooks() async {
        for notifier in notifiers.removeAll() { await notifier.finish() }
    }
}

/// The hook notifiers a command made, one per store.
final class OpenedNotifiers: @unchecked Sendable {
    private let lock = NSLock()
    private var notifiers: [ObjectIdentifier: HookNotifier] = [:]

    func notifier(for store: Store, make: () -> HookNotifier) -> HookNotifier {
        lock.withLock {
            if let existing = notifiers[ObjectIdentifier(store)] { return existing }
            let made = make()
            notifiers[ObjectIdentifier(store)] = made
            return made
        }
    }

    func removeAll() -> [HookNotifier] {
        lock.withLock {
            defer { notifiers.removeAll() }
            return Array(notifiers.values)
        }
    }
}

/// The stores a command opened.
final class OpenedStores: @unchecked Sendable {
    private let lock = NSLock()
    private var stores: [Store] = []

    func add(_ store: Store) {
        lock.withLock { stores.append(store) }
    }

    func removeAll() -> [Store] {
        lock.withLock {
            defer { stores.removeAll() }
            return stores
        }
    }
}
