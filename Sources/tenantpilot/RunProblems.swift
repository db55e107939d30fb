import Foundation
import TenantPilotCore

extension RunText {
    /// Writes the one stderr line of a run that did not end `success` (`RunProblemLine`);
    /// nothing for a run that succeeded.
    static func problem(_ run: RunDocument) {
        guard let line = RunProblemLine.text(for: run) else { return }
        CommandOutput.writeError(line + "\n")
    }
}
