import Foundation
import Testing

@testable import TenantPilotCore

/// Giving, changing and removing retention rules on a schedule, and what the next retention
/// will delete after a change.
@Suite struct RetentionRuleChangeTests {
    @Test func rulesAreValidatedAndKeepLastIsThirtyOnlyWithoutAnyRule() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        func draft(_ rules: [RetentionRule: RetentionRuleChange]) throws(TenantPilotError) -> ScheduleDraft {
            try ScheduleDraft(
                tenantName: "contoso", name: "n", timezone: "UTC", at: ["02:00"], days: nil, cron: nil,
                types: ["all"], keepLast: nil, rules: rules, enabled: true, registry: registry, now: Date())
        }
        #expect(try draft([:]).retention.effectiveKeepLast == 30)
        #expect(try draft([:]).policyTypes == registry.keys)
        let daily = try draft([.daily: .set(7), .last: .remove])
        #expect(daily.retention == RetentionPolicy(keepDaily: 7))
        #expect(daily.retention.effectiveKeepLast == nil)
        for (rule, count) in [(RetentionRule.daily, 0), (.weekly, -1), (.yearly, 100_001)] {
            do {
                _ = try draft([rule: .set(count)])
                Issue.record("accepted \(rule.option) \(count)")
            } catch {
                #expect(error.exitCode == 2)
                #expect(error.message.hasPrefix("\(rule.option) \(count)"), "\(error.message)")
            }
        }
    }

    @Test func lowersIsAboutKeepingFewerSets() {
        let standard = RetentionPolicy()
        #expect(RetentionPolicy(keepLast: 10).lowers(standard))
        #expect(!RetentionPolicy(keepLast: 40).lowers(standard))
        // A calendar rule alone drops the default keep-last 30.
        #expect(RetentionPolicy(keepDaily: 7).lowers(standard))
        #expect(!RetentionPolicy(keepLast: 30, keepDaily: 7).lowers(standard))
        #expect(RetentionPolicy(keepDaily: 3).lowers(RetentionPolicy(keepDaily: 7)))
        #expect(!RetentionPolicy(keepDaily: 7, keepMonthly: 1).lowers(RetentionPolicy(keepDaily: 7)))
    }

    @Test func updatingTheRulesSaysWhatTheNextRetentionWillDelete() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 10)
        for day in 0..<6 {
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: SamplePolicies.items(1), day: day)
        }
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let service = ScheduleService(store: fixture.store)
        let lower = try ScheduleChanges(
            name: nil, timezone: nil, at: [], days: nil, cron: nil, types: [], keepLast: nil,
            rules: [.last: .set(2)], registry: registry)
        let update = try await service.updateReporting(.id(schedule), changes: lower, actor: "admin", at: Date())
        #expect(update.lowersRetention)
        #expect(update.nextRetentionDeletes.map(\.setId) == [4, 3, 2, 1])
        #expect(update.entry.schedule.retention == RetentionPolicy(keepLast: 2))
        // Nothing was deleted by the update.
        #expect(try fixture.count("SELECT count(*) FROM backup_sets") == 6)
        let raise = try ScheduleChanges(
            name: nil, timezone: nil, at: [], days: nil, cron: nil, types: [], keepLast: nil,
            rules: [.last: .remove, .daily: .set(30)], registry: registry)
        let replaced = try await service.updateReporting(.id(schedule), changes: raise, actor: "admin", at: Date())
        // Keep-last is gone, so a rule keeps fewer (two sets of one day would no longer both be
        // kept), but with one set a day the daily rule keeps all six.
        #expect(replaced.lowersRetention)
        #expect(replaced.nextRetentionDeletes.isEmpty)
        #expect(replaced.entry.document.keepLast == nil)
        #expect(replaced.entry.document.keepDaily == 30)
        let more = try ScheduleChanges(
            name: nil, timezone: nil, at: [], days: nil, cron: nil, types: [], keepLast: nil,
            rules: [.daily: .set(60), .monthly: .set(3)], registry: registry)
        let raised = try await service.updateReporting(.id(schedule), changes: more, actor: "admin", at: Date())
        #expect(!raised.lowersRetention)
        #expect(raised.nextRetentionDeletes.isEmpty)
        #expect(raised.entry.schedule.retention == RetentionPolicy(keepDaily: 60, keepMonthly: 3))
        let rename = try ScheduleChanges(
            name: "renamed", timezone: nil, at: [], days: nil, cron: nil, types: [], keepLast: nil,
            registry: registry)
        #expect(
            try await service.updateReporting(.id(schedule), changes: rename, actor: "admin", at: Date())
                .nextRetentionDeletes.isEmpty)
    }
}
