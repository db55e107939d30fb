import Testing

/// Groups the scheduling suites, so that `swift test --filter Scheduling` runs exactly them.
@Suite struct SchedulingTests {}
