/// `hooks`: the alerts on run events (`hooks add/list/remove`); read whole by a process that
/// fires them (there are few).
public protocol HookTable {
    /// Inserts a hook; returns it with its id.
    func insert(_ hook: Hook) throws -> Hook
    /// Every hook, by id.
    func all() throws -> [Hook]
    func find(id: Int64) throws -> Hook?
    /// Deletes the hook; false when there was none with this id.
    func delete(id: Int64) throws -> Bool
}
