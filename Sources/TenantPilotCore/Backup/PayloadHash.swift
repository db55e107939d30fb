import Crypto
import Foundation

/// Content addressing of payloads: the lowercase hex SHA-256 of a payload's canonical JSON
/// (`JSONValue.canonicalData()`, keys sorted), so equal documents share one stored row.
public enum PayloadHash {
    /// Lowercase hex SHA-256 of `data`.
    public static func sha256Hex(_ data: Data) -> String {
        let digest = SHA256.hash(data: data)
        let hexDigits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The canonical bytes of `payload` and their hash, as stored in `backup_payloads`.
    public static func canonical(_ payload: JSONValue) -> (sha256: String, data: Data) {
        let data = payload.canonicalData()
        return (sha256Hex(data), data)
    }
}
