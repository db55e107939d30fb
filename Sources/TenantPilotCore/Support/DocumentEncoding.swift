import Foundation

/// The one way a document becomes JSON, for `--json` output and for what hooks send: snake_case
/// keys from the documents' camelCase names, sorted keys, slashes as they are. Which optional
/// keys are printed as `null` is each document's (`@Nullable`).
public enum DocumentEncoding {
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}
