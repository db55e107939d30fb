import Foundation
import Testing

@testable import TenantPilotCore

/// The bundled registry's restore recipes: every type has one, and says how each thing it
/// captures is written or why it is not.
@Suite struct RestoreRecipeTests {
    @Test func everyTypeIsRestorableOrSaysWhyAndDocsRestoreExplainsIt() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let docs = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../../docs/restore.md"),
            encoding: .utf8)
        for key in PolicyTypeRegistryTests.specKeys {
            let type = try #require(registry.type(forKey: key))
            let recipe = try #require(type.restore, "\(key) has no restore recipe")
            #expect(docs.contains("`\(key)`"), "docs/restore.md does not name \(key)")
            guard recipe.restorable else {
                #expect(recipe.reason?.isEmpty == false, "\(key) is not restorable and says no reason")
                continue
            }
            #expect(type.permissions?.write.contains("ReadWrite") == true, "\(key) names no write permission")
            for subresource in type.sources.flatMap(\.subresources) where subresource.property != "assignments" {
                let write = recipe.subresources[subresource.property]
                #expect(
                    write != nil,
                    "\(key) captures \(subresource.property) but its recipe does not say how it is written")
                if let write, write.never == nil {
                    #expect(write.create != nil && write.update != nil, "\(key).\(subresource.property)")
                }
            }
            if type.sources.contains(where: { $0.subresources.contains { $0.property == "assignments" } }) {
                #expect(recipe.assignments != nil, "\(key) captures assignments but does not say how they are set")
            }
            #expect(recipe.readOnly.contains("id"), "\(key) must never send its id")
        }
        #expect(registry.groups?.collectionPath == "groups")
    }

    @Test func conditionalAccessIsCreatedDisabledAndKeepsTheTargetsStateOnUpdate() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let type = try #require(registry.type(forKey: "conditionalAccessPolicy"))
        let recipe = try #require(type.restore)
        let writes = RestoreWrites(type: type, recipe: recipe, graphURL: "https://graph.microsoft.com/")
        let payload: JSONValue = .object([
            "id": .string("p"), "displayName": .string("Require MFA"), "state": .string("enabled"),
            "createdDateTime": .string("2026-01-01T00:00:00Z"), "@odata.context": .string("x"),
        ])
        let created = try writes.create(payload, name: "Require MFA")
        #expect(
            created.method == "POST" && created.path == "identity/conditionalAccess/policies"
                && created.version == "v1.0")
        #expect(created.body == .object(["displayName": .string("Require MFA"), "state": .string("disabled")]))
        #expect(!created.idempotent)
        let updated = writes.update(payload, targetId: "t1", name: "Require MFA")
        #expect(updated.method == "PATCH" && updated.path == "identity/conditionalAccess/policies/t1")
        #expect(updated.body == .object(["displayName": .string("Require MFA")]))
    }

    @Test func groupPolicyValuesAreBoundToTheirDefinitionsAndMatchedToTheTargets() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let type = try #require(registry.type(forKey: "groupPolicyConfiguration"))
        let writes = RestoreWrites(
            type: type, recipe: try #require(type.restore), graphURL: "https://graph.microsoft.com")
        let value: JSONValue = .object([
            "id": .string("old"), "enabled": .bool(true), "definition": .object(["id": .string("d1")]),
            "presentationValues": .array([
                .object([
                    "@odata.type": .string("#microsoft.graph.groupPolicyPresentationValueText"),
                    "id": .string("pv-old"),
                    "value": .string("x"), "presentation": .object(["id": .string("p1")]),
                ])
            ]),
        ])
        let live: JSONValue = .object([
            "id": .string("t-d1"), "definition": .object(["id": .string("d1")]),
            "presentationValues": .array([
                .object(["id": .string("t-pv"), "presentation": .object(["id": .string("p1")])])
            ]),
        ])
        let stale: JSONValue = .object(["id": .string("t-d9"), "definition": .object(["id": .string("d9")])])
        let body = writes.definitionValuesBody(
            [value], live: [live, stale], definitionsPath: "deviceManagement/groupPolicyDefinitions")
        let updated = try #require(body["updated"]?.arrayValue?.first)
        #expect(body["added"]?.arrayValue?.isEmpty == true)
        #expect(body["deletedIds"] == .array([.string("t-d9")]))
        #expect(updated["id"] == .string("t-d1"))
        #expect(
            updated["definition@odata.bind"]
                == .string("https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions('d1')"))
        let presentation = try #require(updated["presentationValues"]?.arrayValue?.first)
        #expect(presentation["id"] == .string("t-pv"))
        #expect(
            presentation["presentation@odata.bind"]
                == .string(
                    "https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions('d1')/presentations('p1')"
                ))
        #expect(presentation["value"] == .string("x") && presentation["presentation"] == nil)
    }
}
