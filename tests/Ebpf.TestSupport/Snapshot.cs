using System.Runtime.CompilerServices;
using System.Text;

namespace Ebpf.TestSupport;

/// <summary>Golden-file assertions. The approved text lives next to the test source as
/// <c>Snapshots/NAME.approved.txt</c>; on mismatch the actual text is written to
/// <c>NAME.received.txt</c> beside it and the failure shows a line diff. Set
/// <c>EBPF_BLESS=1</c> to (re)write approved files from the received output.</summary>
public static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var approvedPath = Path.Combine(dir, name + ".approved.txt");
        var receivedPath = Path.Combine(dir, name + ".received.txt");
        actual = Normalize(actual);
        bool bless = Environment.GetEnvironmentVariable("EBPF_BLESS") == "1";
        if (bless)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(approvedPath, actual);
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        if (!File.Exists(approvedPath))
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(receivedPath, actual);
            throw new SnapshotMismatchException($"no approved snapshot {approvedPath}; the output was written to {receivedPath}. Review it, then rename it or rerun with EBPF_BLESS=1.\n{actual}");
        }
        var approved = Normalize(File.ReadAllText(approvedPath));
        if (approved == actual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, actual);
        throw new SnapshotMismatchException($"snapshot '{name}' differs (approved: {approvedPath}, received: {receivedPath}; EBPF_BLESS=1 accepts):\n{Diff(approved, actual)}");
    }

    static string Normalize(string s) => s.Replace("\r\n", "\n").TrimEnd('\n') + "\n";

    /// <summary>A unified-style line diff (LCS based), '-' approved, '+' received.</summary>
    public static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
            for (int j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var sb = new StringBuilder();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { sb.Append("  ").AppendLine(a[x]); x++; y++; }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) { sb.Append("+ ").AppendLine(b[y]); y++; }
            else { sb.Append("- ").AppendLine(a[x]); x++; }
        }
        return sb.ToString();
    }
}

public sealed class SnapshotMismatchException(string message) : Exception(message);
