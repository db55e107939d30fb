/// One captured policy, as a backup run hands it to `BackupSetStore.addItems`.
public struct NewBackupItem: Sendable, Hashable {
    /// Policy-type key of the registry (`deviceConfiguration`, …).
    public var typeKey: String
    /// The policy's id in Microsoft Graph.
    public var graphId: String
    public var displayName: String
    /// The whole policy as captured; stored once per distinct SHA-256 of its canonical JSON.
    public var payload: JSONValue

    public init(typeKey: String, graphId: String, displayName: String, payload: JSONValue) {
        self.typeKey = typeKey
        self.graphId = graphId
        self.displayName = displayName
        self.payload = payload
    }
}
