import Foundation
import Testing

@testable import TenantPilotCore

/// The property-level comparison shared by restore, drift and `backups diff`.
@Suite struct PayloadComparisonTests {
    let type = PolicyType(
        key: "t", label: "T", graphVersion: "beta", collectionPath: "c",
        subresources: [
            Subresource(property: "assignments", path: "assignments"),
            Subresource(property: "settings", path: "settings"),
        ],
        volatileFields: ["lastModifiedDateTime"])

    func assignment(_ group: String, id: String) -> JSONValue {
        .object(["id": .string(id), "target": .object(["groupId": .string(group)])])
    }

    func setting(_ definition: String, _ value: Int64, id: String) -> JSONValue {
        .object([
            "id": .string(id),
            "settingInstance": .object(["settingDefinitionId": .string(definition), "value": .int(value)]),
        ])
    }

    @Test func volatileFieldsElementIdsAndOrderAreNoChange() {
        let old: JSONValue = .object([
            "id": .string("a"), "lastModifiedDateTime": .string("1"), "@odata.context": .string("x"),
            "assignments": .array([assignment("g1", id: "1"), assignment("g2", id: "2")]),
            "settings": .array([setting("s1", 1, id: "0"), setting("s2", 2, id: "1")]),
            "tags": .array([.string("0"), .string("1")]), "count": .int(1), "absent": .null,
        ])
        let new: JSONValue = .object([
            "id": .string("b"), "lastModifiedDateTime": .string("2"),
            "assignments": .array([assignment("g2", id: "x"), assignment("g1", id: "y")]),
            "settings": .array([setting("s2", 2, id: "7"), setting("s1", 1, id: "8")]),
            "tags": .array([.string("1"), .string("0")]), "count": .double(1),
        ])
        #expect(PayloadComparison(type: type).changes(from: old, to: new).isEmpty)
    }

    @Test func keyedElementsAreComparedPropertyByPropertyAndSetsElementByElement() {
        let old: JSONValue = .object([
            "description": .string("before"),
            "assignments": .array([assignment("g1", id: "1"), assignment("g2", id: "2")]),
            "settings": .array([setting("s1", 1, id: "0"), setting("s2", 2, id: "1")]),
            "tags": .array([.string("0")]),
        ])
        let new: JSONValue = .object([
            "description": .string("after"),
            "assignments": .array([assignment("g1", id: "1"), assignment("g3", id: "3")]),
            "settings": .array([setting("s1", 5, id: "0"), setting("s3", 3, id: "2")]),
            "tags": .array([.string("0"), .string("1")]),
        ])
        let changes = PayloadComparison(type: type).changes(from: old, to: new)
        let paths = changes.map(\.path)
        #expect(paths.contains("description"))
        #expect(changes.first { $0.path == "settings[s1].settingInstance.value" }?.new == .int(5))
        #expect(changes.first { $0.path == "settings[s2]" }?.new == .null)
        #expect(changes.first { $0.path == "settings[s3]" }?.old == .null)
        let assignments = changes.filter { $0.path == "assignments[]" }
        #expect(assignments.count == 2)
        #expect(assignments.contains { $0.old == .null && $0.new["target"]?["groupId"] == .string("g3") })
        #expect(assignments.contains { $0.new == .null && $0.old["target"]?["groupId"] == .string("g2") })
        #expect(changes.first { $0.path == "tags" }?.new == .array([.string("0"), .string("1")]))
        #expect(changes.map(\.property).allSatisfy { ["description", "assignments", "settings", "tags"].contains($0) })
    }
}
