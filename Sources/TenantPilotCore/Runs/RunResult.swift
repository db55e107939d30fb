/// The end state of a run, before it is written.
struct RunResult: Sendable {
    var status: BackupRun.Status
    var code: ErrorCode?
    var message: String?
    var backupSetId: Int64?
    var counts: RunCounts

    init(
        status: BackupRun.Status, code: ErrorCode?, message: String?, backupSetId: Int64? = nil,
        skippedTypes: [String] = []
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.backupSetId = backupSetId
        self.counts = RunCounts(skippedTypes: skippedTypes)
    }

    /// docs/architecture.md step 5: `failed` when nothing usable was captured or the tenant could not be
    /// reached; `partial` when some types or items were not captured (or some type keys are
    /// unknown); `success` otherwise.
    static func from(_ outcome: BackupOutcome, knownTypes: Int, unknownTypes: [String]) -> RunResult {
        let failedKeys = outcome.failedTypes.map(\.key)
        var result: RunResult
        if let fatal = outcome.fatal {
            result = RunResult(status: .failed, code: fatal.code, message: fatal.message)
        } else if let first = outcome.failedTypes.first,
            outcome.failedTypes.count >= knownTypes || outcome.backupSetId == nil
        {
            result = RunResult(status: .failed, code: first.error.code, message: Self.describe(outcome.failedTypes))
        } else if let first = outcome.failedTypes.first {
            result = RunResult(status: .partial, code: first.error.code, message: Self.describe(outcome.failedTypes))
        } else if outcome.failedItems > 0 {
            result = RunResult(
                status: .partial, code: .graphBadResponse,
                message: "\(outcome.failedItems) polic\(outcome.failedItems == 1 ? "y" : "ies") could not be captured")
        } else if !unknownTypes.isEmpty {
            result = RunResult(
                status: .partial, code: .unknownPolicyType,
                message: "skipped unknown policy types: \(unknownTypes.joined(separator: ", "))")
        } else {
            result = RunResult(status: .success, code: nil, message: nil)
        }
        if result.status == .partial, !unknownTypes.isEmpty, result.code != .unknownPolicyType {
            result.message =
                (result.message ?? "") + "; skipped unknown policy types: \(unknownTypes.joined(separator: ", "))"
        }
        result.backupSetId = result.status == .failed ? nil : outcome.backupSetId
        result.counts = RunCounts(
            policies: outcome.policies, items: outcome.items, failedItems: outcome.failedItems,
            skippedTypes: unknownTypes + failedKeys)
        return result
    }

    /// The run passed its deadline: whatever was captured before it stays (`partial`), and the
    /// code says why the rest is missing.
    func timedOut(after deadline: RunDeadline) -> RunResult {
        var result = self
        result.status = backupSetId == nil ? .failed : .partial
        result.code = RunDeadline.errorCode
        result.message = Self.timeoutMessage(deadline)
        if result.status == .failed { result.backupSetId = nil }
        return result
    }

    static func timeoutMessage(_ deadline: RunDeadline) -> String {
        "the run passed its deadline of \(deadline.description) (--run-timeout) and was stopped; what was not captured by then is missing"
    }

    private static func describe(_ failures: [(key: String, error: TenantPilotError)]) -> String {
        RunFailureSummary.describe(failures)
    }
}
