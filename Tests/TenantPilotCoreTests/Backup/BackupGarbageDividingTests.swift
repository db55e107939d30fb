import Testing

@testable import TenantPilotCore

/// `BackupGarbage.dividing`: the garbage of one deletion over several groups of sets, given to
/// each group as if the groups had been deleted one after the other.
@Suite struct BackupGarbageDividingTests {
    private func payload(_ id: Int64) -> BackupGarbage.Payload {
        BackupGarbage.Payload(id: id, sha256: String(repeating: "\(id)", count: 4), size: id * 10)
    }

    @Test func eachRowGoesWithTheLastGroupThatReferencedIt() {
        // Version 1 (key 1, payload 1) is named by sets of groups 0 and 2; version 2 (key 1,
        // payload 2) by group 1 only; version 3 (key 3, payload 1) by group 0 only.
        let versions = [
            BackupGarbage.Version(id: 1, keyId: 1, payloadId: 1),
            BackupGarbage.Version(id: 2, keyId: 1, payloadId: 2),
            BackupGarbage.Version(id: 3, keyId: 3, payloadId: 1),
        ]
        let deleted = [
            BackupGarbage.DeletedItem(setId: 10, versionId: 1),
            BackupGarbage.DeletedItem(setId: 10, versionId: 3),
            BackupGarbage.DeletedItem(setId: 20, versionId: 2),
            BackupGarbage.DeletedItem(setId: 30, versionId: 1),
            // A version that stays referenced elsewhere is not garbage, whoever named it.
            BackupGarbage.DeletedItem(setId: 30, versionId: 9),
        ]
        let garbage = BackupGarbage(versionIds: [1, 2, 3], keyIds: [1, 3], payloads: [payload(1), payload(2)])

        let divided = BackupGarbage.dividing(garbage, versions: versions, deleted: deleted, among: [[10], [20], [30]])

        #expect(divided.map(\.versionIds) == [[3], [2], [1]])
        // Key 1 goes with its last version (1, group 2); key 3 with version 3 (group 0).
        #expect(divided.map(\.keyIds) == [[3], [], [1]])
        // Payload 1 goes with version 1 (group 2), the last of its versions; payload 2 with group 1.
        #expect(divided.map { $0.payloads.map(\.id) } == [[], [2], [1]])
        #expect(BackupGarbage.merging(divided) == garbage)
    }

    @Test func oneGroupTakesEverythingAndNoGroupNothing() {
        let garbage = BackupGarbage(versionIds: [1], keyIds: [1], payloads: [payload(1)])
        let versions = [BackupGarbage.Version(id: 1, keyId: 1, payloadId: 1)]
        #expect(BackupGarbage.dividing(garbage, versions: versions, deleted: [], among: [[5]]) == [garbage])
        #expect(BackupGarbage.dividing(garbage, versions: versions, deleted: [], among: []).isEmpty)
        #expect(
            BackupGarbage.dividing(BackupGarbage(), versions: [], deleted: [], among: [[1], [2]])
                == [BackupGarbage(), BackupGarbage()])
    }
}
