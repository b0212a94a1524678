namespace Ebpf.Runtime.Syscalls;

/// <summary>Kernel object names (map_name, prog_name): at most BPF_OBJ_NAME_LEN - 1 = 15 characters of
/// <c>[A-Za-z0-9_.]</c>. The kernel rejects other characters with EINVAL, so, like libbpf, they become '_'.</summary>
public static class ObjectName
{
    public const int MaxLength = 15;

    /// <summary>The name the kernel will show for <paramref name="name"/>: truncated, invalid characters replaced.</summary>
    public static string Sanitize(string name)
    {
        var chars = name.Length > MaxLength ? name.AsSpan(0, MaxLength).ToArray() : name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '_' or '.')) chars[i] = '_';
        return new string(chars);
    }

    /// <summary>Writes the sanitized name, NUL-terminated, into a 16-byte kernel name field.</summary>
    internal static void Write(string name, Span<byte> field)
    {
        field.Clear();
        var sanitized = Sanitize(name);
        for (int i = 0; i < sanitized.Length; i++) field[i] = (byte)sanitized[i];
    }

    internal static string Read(ReadOnlySpan<byte> field) => KernelLog.Decode(field);
}
