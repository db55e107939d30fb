import Foundation

/// `metrics --textfile PATH` and `dispatch --metrics-textfile PATH`: the exposition written for
/// node_exporter's textfile collector — to a temporary file in the same folder, then renamed
/// over PATH, so the collector never reads half a file. Mode 0644 whatever the umask, since the
/// collector runs as another user; the metrics hold names and numbers, never a secret.
public enum MetricsTextfile {
    public static func write(_ exposition: MetricsExposition, to path: String) throws(TenantPilotError) {
        guard !path.isEmpty else { throw .invalid("--textfile \"\" names no file") }
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        do {
            let folder = try SafeFiles.Directory(path: url.deletingLastPathComponent().path)
            try folder.write(Data(exposition.text.utf8), to: name, mode: 0o644, exact: true)
        } catch {
            throw .failed("cannot write the metrics to \(path): \(error.reason)", code: .metricsUnwritable)
        }
    }
}
