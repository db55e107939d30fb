import Foundation

/// The stored and `--json` form: `{"at":["02:00","14:30"],"days":["mon","fri"]}` (`days`
/// omitted for every day) or `{"cron":"0 2 * * 1-5"}`. Decoding validates again, so a
/// hand-edited row cannot smuggle in an invalid timetable.
extension Timetable: Codable {
    private enum CodingKeys: String, CodingKey {
        case at, days, cron
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let cron = try container.decodeIfPresent(String.self, forKey: .cron)
        let times = try container.decodeIfPresent([String].self, forKey: .at)
        let days = try container.decodeIfPresent([String].self, forKey: .days)
        do {
            switch (times, cron) {
            case (nil, let expression?) where days == nil:
                self = try Timetable.cron(parsing: expression)
            case (let times?, nil):
                self = try Timetable.localTimes(parsing: times, days: days?.joined(separator: ","))
            default:
                throw TenantPilotError.invalid(
                    "a timetable is either {\"at\": [...], \"days\": [...]} or {\"cron\": \"...\"}")
            }
        } catch let error as TenantPilotError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .localTimes(let times, let weekdays):
            try container.encode(times.sorted().map(\.description), forKey: .at)
            if let weekdays {
                try container.encode(weekdays.sorted().map(\.rawValue), forKey: .days)
            }
        case .cron(let expression):
            try container.encode(expression.text, forKey: .cron)
        }
    }
}

extension Timetable {
    /// The stored form: keys sorted, times and weekdays in order, slashes as they are. Two
    /// timetables with the same canonical JSON fire at the same slots.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension CronExpression: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try CronExpression(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
