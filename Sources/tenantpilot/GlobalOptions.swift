import ArgumentParser
import Foundation
import TenantPilotCore

/// `--db`, `--json`, `--actor`, `--now`: shared by every subcommand through `@OptionGroup`.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite store (else $TENANTPILOT_DB, else $TENANTPILOT_HOME/tenantpilot.sqlite).", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Print one JSON document on stdout and nothing else.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp("Who acts, for audit and notifications (else $SUDO_USER, else $USER).", valueName: "name"))
    var actor: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The clock for this invocation, ISO-8601 (else $TENANTPILOT_NOW).", valueName: "instant"))
    var now: String?

    /// Runs a command body with its context, rendering any error once, as SPEC §3 asks:
    /// a message on stderr, with `--json` also `{"error": {...}}` on stdout, and the exit code.
    func run(_ body: (CommandContext) async throws -> Void) async throws {
        do {
            let context = try CommandContext(options: self)
            try await body(context)
        } catch let error as TenantPilotError {
            render(error)
            throw ExitCode(error.exitCode)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let wrapped = TenantPilotError.failed("unexpected error: \(error.localizedDescription)")
            render(wrapped)
            throw ExitCode(wrapped.exitCode)
        }
    }

    private func render(_ error: TenantPilotError) {
        CommandOutput.printError(error.message)
        if json {
            CommandOutput.printJSONError(code: error.code, message: error.message)
        }
    }
}

/// What a command body works with: the resolved options and the injected dependencies.
struct CommandContext {
    let json: Bool
    let actor: String
    let databasePath: String
    let dependencies: Dependencies
    /// Where the clock was set from when it is not the system clock (`--now`, `TENANTPILOT_NOW`).
    let clockSource: String?

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
        self.json = options.json
        self.actor = ActorName.resolve(explicit: options.actor, environment: environment)
        self.databasePath = StateLocation.databasePath(explicit: options.db, environment: environment)
        self.dependencies = Dependencies(clock: clock, environment: environment)
    }

    /// Says on stderr that this command writes with a clock that is not the system's, so that a
    /// rehearsal is never mistaken for the real thing (its instants go into the store).
    func announceClock() {
        guard let clockSource else { return }
        CommandOutput.writeError(
            "note: the clock of this command is \(ISO8601.string(dependencies.clock.now())), set by \(clockSource), not the system clock\n"
        )
    }

    /// Opens (and migrates) the store.
    func openStore() throws(TenantPilotError) -> Store {
        try Store.open(path: databasePath)
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
}

extension CommandContext {
    /// The run pipeline for this invocation, backed by the real Graph client.
    func runExecutor(store: Store, deadline: RunDeadline = .standard) throws(TenantPilotError) -> RunExecutor {
        RunExecutor(
            store: store, registry: try registry(), clock: dependencies.clock,
            backup: BackupService(store: store, dependencies: dependencies), deadline: deadline)
    }
}
