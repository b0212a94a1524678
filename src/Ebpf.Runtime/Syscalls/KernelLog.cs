using System.Text;

namespace Ebpf.Runtime.Syscalls;

/// <summary>Text of a kernel log buffer (verifier or BTF log).</summary>
internal static class KernelLog
{
    public static string Decode(ReadOnlySpan<byte> buffer)
    {
        int end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]);
    }

    public static string LastLines(string log, int count)
    {
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - count)));
    }
}
