import TenantPilotCore

/// What the simulator accepts in writes, per policy type, as Graph documents it: the
/// properties Graph computes itself (sending one is a 400), the key of each type's `assign`
/// body, the typed collections app protection policies are written through, and the
/// properties only a GET by id returns. Independent of TenantPilot's own restore recipes, so
/// that the tests check the recipes against it rather than against themselves.
enum SimulatedWriteRules {
    /// Read-only on every type.
    static let commonReadOnly: Set<String> = ["id", "createdDateTime", "lastModifiedDateTime"]

    /// Read-only per type key, besides `commonReadOnly`.
    static let readOnly: [String: Set<String>] = [
        "deviceConfiguration": ["version", "supportsScopeTags"],
        "settingsCatalogPolicy": ["settingCount", "isAssigned"],
        "deviceCompliancePolicy": ["version"],
        "groupPolicyConfiguration": ["version"],
        "endpointSecurityIntent": ["isAssigned", "isMigratingToConfigurationPolicy", "templateId"],
        "deviceHealthScript": ["highestAvailableVersion", "isGlobalScript"],
        "appProtectionPolicy": ["deployedAppCount", "isAssigned", "version"],
        "mobileAppConfiguration": ["version"],
        "deviceEnrollmentConfiguration": ["version", "priority", "deviceEnrollmentConfigurationType"],
        "windowsFeatureUpdateProfile": ["endOfSupportDate", "deployableContentDisplayName"],
        "windowsQualityUpdateProfile": ["releaseDateDisplayText", "deployableContentDisplayName"],
        "assignmentFilter": ["payloads"],
        "roleScopeTag": ["isBuiltIn"],
        "roleDefinition": ["isBuiltIn", "isBuiltInRoleDefinition"],
        "conditionalAccessPolicy": ["modifiedDateTime"],
    ]

    /// Properties a create or update must never carry: navigation collections that have
    /// actions of their own.
    static let refusedInBody: Set<String> = ["assignments", "settingsDelta", "definitionValues", "roleAssignments"]

    /// The array property of each type's `assign` body.
    static let assignBodyKey: [String: String] = [
        "deviceManagementScript": "deviceManagementScriptAssignments",
        "deviceShellScript": "deviceManagementScriptAssignments",
        "deviceHealthScript": "deviceHealthScriptAssignments",
        "deviceEnrollmentConfiguration": "enrollmentConfigurationAssignments",
    ]

    /// Types whose assignments are added one POST at a time to `{id}/assignments` (no `assign`).
    static let assignmentsOneByOne: Set<String> = ["windowsAutopilotDeploymentProfile"]

    /// Types whose update is a PUT that replaces the policy and its settings (PATCH works too).
    static let replacedByPut: Set<String> = ["settingsCatalogPolicy"]

    /// Properties that only a GET by id returns (kept apart from the listed ones).
    static let detailOnly: Set<String> = [
        "scriptContent", "detectionScriptContent", "remediationScriptContent", "detectionScriptParameters",
        "minimumRequiredAppVersion", "allowedDataStorageLocations", "detailOnlyOnGet",
    ]

    static func readOnly(for key: String) -> Set<String> {
        commonReadOnly.union(readOnly[key] ?? [])
    }
}
