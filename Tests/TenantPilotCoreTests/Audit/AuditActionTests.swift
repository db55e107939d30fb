import Foundation
import Testing

@testable import TenantPilotCore

/// `audit list --action` refuses an action this binary never writes (unless the store holds it),
/// so `AuditAction.known` must list every action: one declared without being added there would
/// make `--action` refuse a real action until its first entry exists.
@Suite struct AuditActionTests {
    /// Every `AuditAction(rawValue: "…")` declared in the library's sources.
    static func declaredActions() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/TenantPilotCore")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        let pattern = try NSRegularExpression(pattern: #"AuditAction\(rawValue: "([^"]+)"\)"#)
        var actions: Set<String> = []
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { actions.insert(String(text[range])) }
            }
        }
        return actions
    }

    @Test func everyDeclaredActionIsKnown() throws {
        let declared = try Self.declaredActions()
        #expect(declared.count >= 17, "the sources were not found: \(declared)")
        let known = Set(AuditAction.known.map(\.rawValue))
        #expect(declared.subtracting(known).isEmpty, "add these to AuditAction.known: \(declared.subtracting(known))")
        #expect(known.subtracting(declared).isEmpty, "not declared: \(known.subtracting(declared))")
    }

    @Test func anUnknownActionIsBadInputWithTheNearestAndAKnownOneIsNot() throws {
        #expect(throws: Never.self) {
            try AuditQuery.check(.exact("hook.failed"), "hook.failed", known: [])
            try AuditQuery.check(.family("hook."), "hook.*", known: [])
            try AuditQuery.check(.exact("custom.thing"), "custom.thing", known: [AuditAction(rawValue: "custom.thing")])
        }
        do {
            try AuditQuery.check(.exact("hook.faild"), "hook.faild", known: [])
            Issue.record("a typo was accepted")
        } catch {
            #expect(error.message.contains(#"did you mean "hook.failed"?"#), "\(error.message)")
        }
    }
}
