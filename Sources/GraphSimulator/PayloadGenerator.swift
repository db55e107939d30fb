import Foundation
import TenantPilotCore

/// Makes realistic Intune payloads for every registry type, reproducibly from a seed.
struct PayloadGenerator: Sendable {
    let seed: UInt64
    let pageSize: Int

    /// The `index`th policy of a type in a tenant.
    func policy(tenant: String, type: PolicyType, index: Int, spec: SimulatedTenantSpec) -> SimulatedPolicy {
        var random = SeededGenerator(seed: seed, tenant, type.key, String(index))
        var id = random.guid()
        if type.key == "deviceEnrollmentConfiguration" { id += "_Windows10EnrollmentCompletionPageConfiguration" }
        let name = "\(type.label) \(index + 1)"
        let created = Date(timeIntervalSince1970: 1_672_531_200 + Double(random.next() % 40_000_000))
        var fields: [String: JSONValue] = [
            "createdDateTime": .string(ISO8601.string(created)),
            "lastModifiedDateTime": .string(
                ISO8601.string(created.addingTimeInterval(Double(random.next() % 5_000_000)))),
            "roleScopeTagIds": .array([.string("0")]),
        ]
        let nameKey = ["settingsCatalogPolicy", "endpointSecurityIntent"].contains(type.key) ? "name" : "displayName"
        fields[nameKey] = .string(name)
        fields["description"] = .string(
            "Simulated \(type.label.lowercased()) #\(index + 1) of tenant \(tenant.prefix(8))")
        fields.merge(typeFields(type.key, index: index, random: &random)) { _, specific in specific }
        // A type with typed collections spreads its policies over them, and keeps one kind in
        // its base collection only (app protection: the default policies), as Graph does.
        let kinds = type.collections.count
        let typed: TypedCollection? =
            kinds > 0 && index % (kinds + 1) < kinds ? type.collections[index % (kinds + 1)] : nil
        if kinds > 0 {
            fields["@odata.type"] = .string(typed?.odataType ?? "#microsoft.graph.defaultManagedAppProtection")
        }
        let detail = typed == nil ? detailFields(type, index: index, random: &random) : [:]
        var subresources: [String: [SimulatedElement]] = [:]
        for subresource in typed?.subresources ?? type.subresources {
            subresources[subresource.path] = elements(
                of: subresource, tenant: tenant, policyID: id, type: type, index: index, spec: spec, random: &random)
        }
        if type.key == "settingsCatalogPolicy" {
            fields["settingCount"] = .int(Int64(subresources["settings"]?.count ?? 0))
        }
        return SimulatedPolicy(
            id: id, fields: fields, detailFields: detail, subresources: subresources, collectionPath: typed?.path)
    }

    // MARK: - Policy properties

    private func typeFields(_ key: String, index: Int, random: inout SeededGenerator) -> [String: JSONValue] {
        switch key {
        case "deviceConfiguration":
            return [
                "@odata.type": .string("#microsoft.graph.windows10GeneralConfiguration"),
                "version": .int(Int64(1 + index % 7)),
                "passwordRequired": .bool(random.next() % 2 == 0),
                "passwordMinimumLength": .int(Int64(6 + random.next() % 10)),
                "defenderMonitorFileActivity": .string("monitorAllFiles"), "bluetoothBlocked": .bool(false),
            ]
        case "settingsCatalogPolicy":
            return [
                "platforms": .string("windows10"), "technologies": .string("mdm"), "isAssigned": .bool(true),
                "templateReference": .object([
                    "templateId": .string(""), "templateFamily": .string("none"), "templateDisplayName": .null,
                    "templateDisplayVersion": .null,
                ]),
            ]
        case "deviceCompliancePolicy":
            return [
                "@odata.type": .string("#microsoft.graph.windows10CompliancePolicy"),
                "version": .int(Int64(1 + index % 4)),
                "passwordRequired": .bool(true), "osMinimumVersion": .string("10.0.19045"),
                "bitLockerEnabled": .bool(true), "secureBootEnabled": .bool(true),
            ]
        case "groupPolicyConfiguration":
            return ["policyConfigurationIngestionType": .string("builtIn")]
        case "endpointSecurityIntent":
            return ["templateId": .string("e044e60e-5901-41ef-a6d8-df4e0ba1e9ee"), "isAssigned": .bool(true)]
        case "deviceManagementScript":
            return [
                "runAsAccount": .string("system"), "enforceSignatureCheck": .bool(false),
                "fileName": .string("script\(index + 1).ps1"),
                "runAs32Bit": .bool(false),
            ]
        case "deviceShellScript":
            return [
                "runAsAccount": .string("user"), "fileName": .string("script\(index + 1).sh"),
                "executionFrequency": .string("PT0S"), "retryCount": .int(3),
                "blockExecutionNotifications": .bool(false),
            ]
        case "deviceHealthScript":
            return [
                "publisher": .string("Contoso IT"), "version": .string("1"), "runAsAccount": .string("system"),
                "runAs32Bit": .bool(false), "isGlobalScript": .bool(false), "highestAvailableVersion": .null,
            ]
        case "appProtectionPolicy":
            return [
                "@odata.type": .string("#microsoft.graph.androidManagedAppProtection"), "version": .string("\"1\""),
                "periodOfflineBeforeAccessCheck": .string("PT12H"), "pinRequired": .bool(true),
            ]
        case "mobileAppConfiguration":
            return [
                "@odata.type": .string("#microsoft.graph.iosMobileAppConfiguration"), "version": .int(1),
                "targetedMobileApps": .array([.string(random.guid())]),
                "settings": .array([
                    .object([
                        "appConfigKey": .string("IntuneMAMUPN"), "appConfigKeyType": .string("stringType"),
                        "appConfigKeyValue": .string("{{userprincipalname}}"),
                    ])
                ]),
            ]
        case "windowsAutopilotDeploymentProfile":
            return [
                "@odata.type": .string("#microsoft.graph.azureADWindowsAutopilotDeploymentProfile"),
                "language": .string("os-default"),
                "deviceNameTemplate": .string("CONTOSO-%SERIAL%"), "deviceType": .string("windowsPc"),
                "outOfBoxExperienceSettings": .object([
                    "hidePrivacySettings": .bool(true), "hideEULA": .bool(true), "userType": .string("standard"),
                ]),
            ]
        case "deviceEnrollmentConfiguration":
            return [
                "@odata.type": .string("#microsoft.graph.windows10EnrollmentCompletionPageConfiguration"),
                "priority": .int(Int64(index + 1)), "version": .int(1), "showInstallationProgress": .bool(true),
                "installProgressTimeoutInMinutes": .int(60),
            ]
        case "windowsFeatureUpdateProfile":
            return [
                "featureUpdateVersion": .string("Windows 11, version 23H2"),
                "endOfSupportDate": .string("2026-11-10T00:00:00Z"),
            ]
        case "windowsQualityUpdateProfile":
            return [
                "releaseDateDisplayText": .string("January 2025"),
                "expeditedUpdateSettings": .object([
                    "qualityUpdateRelease": .string("2025-01-14T00:00:00Z"), "daysUntilForcedReboot": .int(1),
                ]),
            ]
        case "assignmentFilter":
            return [
                "platform": .string("windows10AndLater"), "assignmentFilterManagementType": .string("devices"),
                "rule": .string("(device.manufacturer -eq \"Contoso\")"),
            ]
        case "roleScopeTag":
            return ["isBuiltIn": .bool(false)]
        case "roleDefinition":
            return [
                "@odata.type": .string("#microsoft.graph.deviceAndAppManagementRoleDefinition"),
                "isBuiltIn": .bool(false),
                "rolePermissions": .array([
                    .object([
                        "resourceActions": .array([
                            .object([
                                "allowedResourceActions": .array([.string("Microsoft.Intune_DeviceConfigurations_Read")]
                                )
                            ])
                        ])
                    ])
                ]),
            ]
        case "notificationMessageTemplate":
            return [
                "brandingOptions": .string("includeCompanyLogo,includeCompanyName"), "defaultLocale": .string("en-us"),
            ]
        case "conditionalAccessPolicy":
            return [
                "state": .string("enabledForReportingButNotEnforced"), "modifiedDateTime": .null,
                "conditions": .object([
                    "users": .object(["includeUsers": .array([.string("All")]), "excludeUsers": .array([])]),
                    "applications": .object(["includeApplications": .array([.string("All")])]),
                    "clientAppTypes": .array([.string("all")]),
                ]),
                "grantControls": .object(["operator": .string("OR"), "builtInControls": .array([.string("mfa")])]),
            ]
        case "policySet":
            return [
                "status": .string("notAssigned"), "errorCode": .string("noError"), "guidedDeploymentTags": .array([]),
            ]
        default:
            return ["@odata.type": .string("#microsoft.graph.\(key)")]
        }
    }

    /// Properties only a GET by id returns.
    private func detailFields(_ type: PolicyType, index: Int, random: inout SeededGenerator) -> [String: JSONValue] {
        guard type.fetchById else { return [:] }
        switch type.key {
        case "deviceManagementScript":
            return [
                "scriptContent": base64(
                    "Write-Output \"Simulated script \(index + 1)\"\r\nSet-ItemProperty -Path HKLM:\\Software\\Contoso -Name Level -Value \(random.next() % 100)\r\n"
                )
            ]
        case "deviceShellScript":
            return [
                "scriptContent": base64(
                    "#!/bin/zsh\necho \"Simulated script \(index + 1)\"\ndefaults write com.contoso level -int \(random.next() % 100)\n"
                )
            ]
        case "deviceHealthScript":
            return [
                "detectionScriptContent": base64(
                    "if (Test-Path C:\\contoso\\\(index).flag) { exit 0 } else { exit 1 }\r\n"),
                "remediationScriptContent": base64("New-Item -ItemType File C:\\contoso\\\(index).flag\r\n"),
                "detectionScriptParameters": .array([]),
            ]
        case "appProtectionPolicy":
            return [
                "minimumRequiredAppVersion": .string("1.\(index % 10)"),
                "allowedDataStorageLocations": .array([.string("oneDriveForBusiness")]),
                "apps": .array([
                    .object([
                        "id": .string("com.microsoft.office.outlook.android"),
                        "mobileAppIdentifier": .object(["packageId": .string("com.microsoft.office.outlook")]),
                    ])
                ]),
            ]
        default:
            return ["detailOnlyOnGet": .string("detail \(index + 1)")]
        }
    }

    private func base64(_ text: String) -> JSONValue { .string(Data(text.utf8).base64EncodedString()) }

    // MARK: - Groups

    /// Groups every simulated tenant has: the same names (`Simulated group 1` …), ids of the
    /// tenant's own. More than a page of assignments fits without naming a group twice.
    static let groupPoolSize = 128

    func groups(tenant: String) -> [(id: String, name: String)] {
        (0..<max(Self.groupPoolSize, pageSize + 8)).map { index in
            var random = SeededGenerator(seed: seed, tenant.lowercased(), "group", String(index))
            return (random.guid(), "Simulated group \(index + 1)")
        }
    }

    // MARK: - Sub-resources

    private func elements(
        of subresource: Subresource, tenant: String, policyID: String, type: PolicyType, index: Int,
        spec: SimulatedTenantSpec,
        random: inout SeededGenerator
    ) -> [SimulatedElement] {
        let count: Int
        switch subresource.property {
        case "assignments":
            count = spec.assignmentsPerPolicy ?? (index % 25 == 7 ? pageSize + 3 : Int(random.next() % 7))
        case "settings":
            count = spec.settingsPerPolicy ?? Int(3 + random.next() % 38)
        case "definitionValues":
            count = Int(1 + random.next() % 6)
        case "scheduledActionsForRule", "localizedNotificationMessages":
            count = 1
        default:
            count = Int(1 + random.next() % 4)
        }
        return (0..<count).map { position in
            element(
                of: subresource, tenant: tenant, position: position, policyID: policyID, type: type, random: &random)
        }
    }

    private func element(
        of subresource: Subresource, tenant: String, position: Int, policyID: String, type: PolicyType,
        random: inout SeededGenerator
    ) -> SimulatedElement {
        switch (type.key, subresource.property) {
        case (_, "assignments"):
            // Groups come from the tenant's pool: every simulated tenant has groups of the same
            // names with ids of its own, as two real tenants set up alike do.
            let pool = groups(tenant: tenant)
            let group = pool[(Int(random.next() % UInt64(pool.count)) + position) % pool.count].id
            let excluded = random.next() % 5 == 0
            return SimulatedElement(fields: [
                "id": .string("\(policyID)_\(group)"),
                "target": .object([
                    "@odata.type": .string(
                        excluded
                            ? "#microsoft.graph.exclusionGroupAssignmentTarget"
                            : "#microsoft.graph.groupAssignmentTarget"),
                    "groupId": .string(group), "deviceAndAppManagementAssignmentFilterId": .null,
                    "deviceAndAppManagementAssignmentFilterType": .string("none"),
                ]),
            ])
        case ("settingsCatalogPolicy", "settings"):
            return SimulatedElement(fields: [
                "id": .string(String(position)),
                "settingInstance": settingInstance(position: position, random: &random),
            ])
        case (_, "settings"):
            let flag = random.next() % 2 == 0
            return SimulatedElement(fields: [
                "@odata.type": .string("#microsoft.graph.deviceManagementBooleanSettingInstance"),
                "id": .string(random.guid()),
                "definitionId": .string(
                    "deviceConfiguration--windows10EndpointProtectionConfiguration_setting\(position)"),
                "valueJson": .string(flag ? "true" : "false"), "value": .bool(flag),
            ])
        case (_, "definitionValues"):
            let definitionID = random.guid()
            let presentations = Int(random.next() % 4)
            let children = (0..<presentations).map { item -> SimulatedElement in
                let presentationID = random.guid()
                return SimulatedElement(
                    fields: [
                        "@odata.type": .string("#microsoft.graph.groupPolicyPresentationValueText"),
                        "id": .string(random.guid()), "value": .string("value \(position).\(item)"),
                        "createdDateTime": .string("2024-05-01T10:00:00Z"),
                        "lastModifiedDateTime": .string("2024-05-01T10:00:00Z"),
                    ],
                    expansions: [
                        "presentation": .object([
                            "@odata.type": .string("#microsoft.graph.groupPolicyPresentationTextBox"),
                            "id": .string(presentationID), "label": .string("Text \(item)"), "required": .bool(false),
                            "maxLength": .int(1023),
                        ])
                    ])
            }
            return SimulatedElement(
                fields: [
                    "id": .string(random.guid()), "enabled": .bool(random.next() % 4 != 0),
                    "configurationType": .string("policy"),
                    "createdDateTime": .string("2024-05-01T10:00:00Z"),
                    "lastModifiedDateTime": .string("2024-05-01T10:00:00Z"),
                ],
                expansions: [
                    "definition": .object([
                        "id": .string(definitionID), "classType": .string("machine"),
                        "displayName": .string("Simulated ADMX setting \(position)"),
                        "categoryPath": .string("\\Windows Components\\Simulated"), "policyType": .string("admxBacked"),
                        "explainText": .string("Explains simulated setting \(position)."),
                    ])
                ],
                children: ["presentationValues": children])
        case (_, "scheduledActionsForRule"):
            return SimulatedElement(
                fields: ["id": .string(random.guid()), "ruleName": .string("PasswordRequired")],
                expansions: [
                    "scheduledActionConfigurations": .array([
                        .object([
                            "id": .string(random.guid()), "actionType": .string("block"), "gracePeriodHours": .int(0),
                            "notificationTemplateId": .string("00000000-0000-0000-0000-000000000000"),
                            "notificationMessageCCList": .array([]),
                        ])
                    ])
                ])
        case (_, "roleAssignments"):
            return SimulatedElement(fields: [
                "id": .string(random.guid()), "displayName": .string("Helpdesk \(position)"),
                "description": .string(""),
                "resourceScopes": .array([.string(random.guid())]), "scopeType": .string("resourceScope"),
            ])
        case (_, "localizedNotificationMessages"):
            return SimulatedElement(fields: [
                "id": .string(random.guid()), "locale": .string("en-us"), "isDefault": .bool(true),
                "subject": .string("Your device is not compliant"),
                "messageTemplate": .string("Please update your device to meet Contoso's policy."),
                "lastModifiedDateTime": .string("2024-05-01T10:00:00Z"),
            ])
        case (_, "apps"):
            let bundle = [
                "com.microsoft.office.outlook", "com.microsoft.teams", "com.microsoft.skydrive", "com.microsoft.msedge",
            ][position % 4]
            return SimulatedElement(fields: [
                "id": .string("\(bundle).\(type.key.count)_\(random.next() % 1000)"),
                "version": .string("-\(random.next() % 100)"),
                "mobileAppIdentifier": .object([
                    "@odata.type": .string("#microsoft.graph.iosMobileAppIdentifier"), "bundleId": .string(bundle),
                ]),
            ])
        case (_, "protectedAppLockerFiles"), (_, "exemptAppLockerFiles"):
            return SimulatedElement(fields: [
                "id": .string(random.guid()), "displayName": .string("AppLocker rule \(position)"),
                "fileHash": .string(String(random.next(), radix: 16)), "version": .string("1.\(position)"),
                "file": base64("<AppLockerPolicy Version=\"1\"><RuleCollection Type=\"Exe\"/></AppLockerPolicy>"),
            ])
        case (_, "items"):
            return SimulatedElement(fields: [
                "@odata.type": .string("#microsoft.graph.deviceConfigurationPolicySetItem"),
                "id": .string(random.guid()),
                "payloadId": .string(random.guid()),
                "itemType": .string("#microsoft.graph.windows10GeneralConfiguration"),
                "displayName": .string("Item \(position)"), "status": .string("validating"),
                "errorCode": .string("noError"),
            ])
        default:
            return SimulatedElement(fields: [
                "id": .string(random.guid()), "displayName": .string("\(subresource.property) \(position)"),
            ])
        }
    }

    /// A settings catalog `settingInstance`, alternating the shapes Graph uses.
    private func settingInstance(position: Int, random: inout SeededGenerator) -> JSONValue {
        let definition = "device_vendor_msft_policy_config_simulated_setting\(position)"
        switch position % 3 {
        case 0:
            return .object([
                "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance"),
                "settingDefinitionId": .string(definition), "settingInstanceTemplateReference": .null,
                "choiceSettingValue": .object([
                    "value": .string("\(definition)_\(random.next() % 2)"), "settingValueTemplateReference": .null,
                    "children": .array([]),
                ]),
            ])
        case 1:
            return .object([
                "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance"),
                "settingDefinitionId": .string(definition), "settingInstanceTemplateReference": .null,
                "simpleSettingValue": .object([
                    "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationIntegerSettingValue"),
                    "value": .int(Int64(random.next() % 1000)), "settingValueTemplateReference": .null,
                ]),
            ])
        default:
            return .object([
                "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance"),
                "settingDefinitionId": .string(definition), "settingInstanceTemplateReference": .null,
                "groupSettingCollectionValue": .array([
                    .object([
                        "children": .array([
                            .object([
                                "@odata.type": .string(
                                    "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance"),
                                "settingDefinitionId": .string("\(definition)_item"),
                                "simpleSettingValue": .object([
                                    "@odata.type": .string(
                                        "#microsoft.graph.deviceManagementConfigurationStringSettingValue"),
                                    "value": .string("contoso-\(random.next() % 100)"),
                                ]),
                            ])
                        ])
                    ])
                ]),
            ])
        }
    }
}
