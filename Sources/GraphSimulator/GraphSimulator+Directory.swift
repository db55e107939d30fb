extension GraphSimulator {
    /// A simulated tenant's groups (id and display name). Every tenant has groups of the same
    /// names with ids of its own, so a restore into another tenant maps them by name.
    public func groups(tenant: String) -> [(id: String, name: String)] {
        state.generator.groups(tenant: tenant)
    }
}
