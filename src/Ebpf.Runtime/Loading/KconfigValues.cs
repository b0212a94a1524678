using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Ebpf.Btf;

namespace Ebpf.Runtime;

/// <summary>The values of an object's <c>extern ... __kconfig</c> variables on the running kernel, laid out as the
/// <c>.kconfig</c> DATASEC says (BtfKconfigFixup): libbpf's virtual <c>LINUX_*</c> values and the kernel's build
/// configuration (<c>CONFIG_*</c> from <c>/proc/config.gz</c> or <c>/boot/config-RELEASE</c>).</summary>
/// <remarks>A CONFIG_ option the configuration does not set reads as 0 (n), as for libbpf's weak externs; <c>y</c> is 1,
/// <c>m</c> 2 (libbpf's <c>enum libbpf_tristate</c>), numbers are stored in the variable's size, strings into char arrays.</remarks>
internal static class KconfigValues
{
    public static byte[] Contents(BtfDatasec kconfig)
    {
        var contents = new byte[kconfig.Size];
        Dictionary<string, string>? config = null;
        foreach (var entry in kconfig.Variables)
        {
            string name = entry.Var.Name ?? "";
            var slot = contents.AsSpan((int)entry.Offset, (int)entry.Size);
            if (name.StartsWith("CONFIG_", StringComparison.Ordinal))
            {
                config ??= ReadConfig();
                if (config.TryGetValue(name, out var text)) Write(slot, entry.Var, text);
                continue;
            }
            ulong value = name switch
            {
                "LINUX_KERNEL_VERSION" => KernelVersionCode(),
                // bpf_get_attach_cookie for kprobe/uprobe/tracepoint perf links: 5.15.
                "LINUX_HAS_BPF_COOKIE" => KernelVersionCode() >= Code(5, 15, 0) ? 1UL : 0,
                // x86-64 syscalls go through pt_regs wrappers since 4.17 (ksyscall programs read arguments through them).
                "LINUX_HAS_SYSCALL_WRAPPER" => KernelVersionCode() >= Code(4, 17, 0) ? 1UL : 0,
                _ => throw new LoadException($"extern variable '{name}' in '.kconfig' is neither a CONFIG_ option nor one of "
                    + "LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER"),
            };
            WriteNumber(slot, value, name);
        }
        return contents;
    }

    static void Write(Span<byte> slot, BtfVar variable, string text)
    {
        if (BtfLayout.SkipQualifiers(variable.Type) is BtfArray)
        {
            if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
                throw new LoadException($"kconfig '{variable.Name}' is a char array but the kernel's configuration sets it to {text}, not a string");
            var bytes = Encoding.UTF8.GetBytes(text[1..^1]);
            bytes.AsSpan(0, Math.Min(bytes.Length, slot.Length - 1)).CopyTo(slot);
            return;
        }
        ulong value = text switch
        {
            "y" => 1,
            "m" => 2,
            "n" => 0,
            _ when text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ulong.TryParse(text[2..], System.Globalization.NumberStyles.HexNumber, null, out var hex) => hex,
            _ when long.TryParse(text, out var number) => (ulong)number,
            _ => throw new LoadException($"kconfig '{variable.Name}' is a number but the kernel's configuration sets it to {text}"),
        };
        WriteNumber(slot, value, variable.Name ?? "");
    }

    static void WriteNumber(Span<byte> slot, ulong value, string name)
    {
        switch (slot.Length)
        {
            case 1: slot[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)value); break;
            case 8: BinaryPrimitives.WriteUInt64LittleEndian(slot, value); break;
            default: throw new LoadException($"kconfig '{name}' is {slot.Length} bytes; numbers must be 1, 2, 4 or 8 bytes");
        }
    }

    /// <summary>KERNEL_VERSION(a, b, c) of the running kernel (the sublevel capped at 255, as the kernel's macro does).</summary>
    public static ulong KernelVersionCode()
    {
        var parts = Environment.OSVersion.Version;
        return Code(parts.Major, parts.Minor, Math.Max(0, parts.Build));
    }

    static ulong Code(int major, int minor, int patch) => ((ulong)major << 16) + ((ulong)minor << 8) + (ulong)Math.Min(patch, 255);

    static Dictionary<string, string> ReadConfig()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        TextReader? reader = null;
        if (File.Exists("/proc/config.gz"))
            reader = new StreamReader(new GZipStream(File.OpenRead("/proc/config.gz"), CompressionMode.Decompress));
        else if (File.Exists($"/boot/config-{release}"))
            reader = new StreamReader($"/boot/config-{release}");
        if (reader is null) return values;                                  // no configuration: every option reads as unset
        using (reader)
        {
            while (reader.ReadLine() is { } line)
            {
                int eq = line.IndexOf('=');
                if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && eq > 0) values[line[..eq]] = line[(eq + 1)..];
            }
        }
        return values;
    }
}
