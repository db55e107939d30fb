import Foundation
import Testing

@testable import TenantPilotCore

/// Stored payloads are content-addressed, so an upgrade must hash an unchanged policy as the
/// release before it did: otherwise every set after the upgrade stores new payloads. The
/// expected bytes and hashes are what the last release whose canonical writer wrote only
/// integral doubles below 10^15 as integers stored for these Graph bodies (captured by that
/// binary from a server spelling its numbers this way). The JSON reader already makes every
/// integral number that fits `Int64` an integer, so the writer's wider rule changes nothing here.
@Suite struct PayloadHashTests {
    @Test(arguments: [
        (
            #"{"id":"f1","displayName":"one","a":1.0,"b":2.5e3,"c":-0.0,"d":[1.50,100e-2,1E3],"e":{"f":-2.5E-3}}"#,
            #"{"a":1,"b":2500,"c":0,"d":[1.5,1,1000],"displayName":"one","e":{"f":-0.0025},"id":"f1"}"#,
            "316d9c1630440bae2c1a611783d4be248b1e3c4aa84e9e5fe858e22d8ae210f2"
        ),
        (
            #"{"id":"f2","displayName":"two","big":1e15,"bigger":1.5e15,"huge":9.2e18,"past":1e19,"tiny":1e-7,"#
                + #""max":1.7976931348623157e308}"#,
            #"{"big":1000000000000000,"bigger":1500000000000000,"displayName":"two","huge":9200000000000000000,"#
                + #""id":"f2","max":1.7976931348623157e+308,"past":1e+19,"tiny":1e-07}"#,
            "efb710929e290dea73790cd4fd2ed9d5938fb4b339be328027437ae07e8aec4e"
        ),
        (
            #"{"id":"f4","displayName":"four","plain":0.1,"pi":3.141592653589793,"neg":-0,"z":0.0,"exp":5e-324}"#,
            #"{"displayName":"four","exp":5e-324,"id":"f4","neg":0,"pi":3.141592653589793,"plain":0.1,"z":0}"#,
            "43598e31397bf20e6e8ae9b76b21800ac0f669019071ceb2085e72ecd0166789"
        ),
    ])
    func anUnchangedPolicyHashesAsTheReleaseBeforeHashedIt(graph: String, stored: String, sha256: String) throws {
        let canonical = PayloadHash.canonical(try JSONValue.parse(Data(graph.utf8)))
        #expect(String(decoding: canonical.data, as: UTF8.self) == stored)
        #expect(canonical.sha256 == sha256)
    }

    /// The one spelling whose hash did change: an integer below `Int64.min` (no Graph integer
    /// type holds one) that rounds to -2^63. The release before wrote it `-9.223372036854776e+18`,
    /// which reads back as the integer -2^63 where a fresh capture holds the double, so writing
    /// it that way again would keep the old hash but make drift and restore see a change in every
    /// such policy for ever. Written `-9223372036854775808`, it costs one new payload row across
    /// the upgrade, and `backups diff` (which compares content when hashes differ) sees no change.
    @Test func theOneChangedSpellingIsNoChangeToTheComparisonsOfDiffAndDrift() throws {
        let graph =
            #"{"id":"f3","displayName":"three","min":-9223372036854775808,"below":-9223372036854775809,"#
            + #""minDouble":-9.2233720368547758E+18}"#
        let storedBefore =
            #"{"below":-9.223372036854776e+18,"displayName":"three","id":"f3","min":-9223372036854775808,"#
            + #""minDouble":-9223372036854775808}"#
        #expect(
            PayloadHash.sha256Hex(Data(storedBefore.utf8))
                == "b57168c951eb71326154d943d307689c4bed4e17d435635ea2ef3334b85c1331")
        let captured = try JSONValue.parse(Data(graph.utf8))
        let canonical = PayloadHash.canonical(captured)
        #expect(
            String(decoding: canonical.data, as: UTF8.self)
                == #"{"below":-9223372036854775808,"displayName":"three","id":"f3","min":-9223372036854775808,"#
                + #""minDouble":-9223372036854775808}"#)
        #expect(canonical.sha256 == "1ef54829abc70ecdfdf2a88014902554a2bfe69bd2af8a163c814648fef784f2")
        let before = try JSONValue.parse(Data(storedBefore.utf8))
        #expect(PayloadComparison(type: nil).changes(from: before, to: captured).isEmpty)
        #expect(PayloadComparison(type: nil).changes(from: before, to: try JSONValue.parse(canonical.data)).isEmpty)
    }
}
