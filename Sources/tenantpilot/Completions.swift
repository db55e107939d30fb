import ArgumentParser
import Foundation
import TenantPilotCore

/// Shell completions that offer values, not only flags: tenant names and `TENANT/NAME` of the
/// schedules in the store (read, never created: a missing store offers nothing), policy-type
/// keys of the registry, time zones, hook events. Statuses complete by themselves (their type
/// lists its cases).
enum Completions {
    static let tenants = CompletionKind.custom { (words: [String], _: Int, prefix: String) async -> [String] in
        await fromStore(words) { store in try await TenantService(store: store).list().map(\.name) }
            .filter { $0.hasPrefix(prefix) }
    }

    static let schedules = CompletionKind.custom { (words: [String], _: Int, prefix: String) async -> [String] in
        await fromStore(words) { store in
            try await ScheduleService(store: store).list(tenantName: nil).map {
                "\($0.tenant.name)/\($0.schedule.name)"
            }
        }.filter { $0.hasPrefix(prefix) }
    }

    static let zones = CompletionKind.custom { _, _, prefix in
        (["UTC"] + TimeZone.knownTimeZoneIdentifiers.sorted()).filter { $0.hasPrefix(prefix) }
    }

    static let types = CompletionKind.custom { _, _, prefix in
        let keys = (try? PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment))?.keys ?? []
        // `all` stands alone: offered only as the first element.
        return (prefix.contains(",") ? [] : ["all"].filter { $0.hasPrefix(prefix) }) + commaList(keys, prefix: prefix)
    }

    static let events = CompletionKind.custom { _, _, prefix in
        commaList(["all"] + Hook.Event.allCases.map(\.rawValue), prefix: prefix)
    }

    /// Candidates for the last element of a comma-separated list (`deviceConfiguration,set…`).
    static func commaList(_ values: [String], prefix: String) -> [String] {
        let head = prefix.lastIndex(of: ",").map { String(prefix[...$0]) } ?? ""
        let tail = String(prefix.dropFirst(head.count))
        return values.filter { $0.hasPrefix(tail) }.map { head + $0 }
    }

    /// Reads names from the store the command line points at (`--db` among `words`, else the
    /// environment), never creating it; nothing when there is none or it cannot be read.
    static func fromStore(_ words: [String], _ read: (Store) async throws -> [String]) async -> [String] {
        var explicit: String?
        if let index = words.firstIndex(of: "--db"), index + 1 < words.count {
            explicit = words[index + 1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        let location = StateLocation.resolve(explicit: explicit, environment: ProcessInfo.processInfo.environment)
        guard let store = try? await Store.open(location, ifMissing: .refuse) else { return [] }
        let names = (try? await read(store)) ?? []
        try? await store.close()
        return names
    }
}
