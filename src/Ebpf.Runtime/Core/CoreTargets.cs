using Ebpf.Btf;
using Ebpf.Btf.Core;

namespace Ebpf.Runtime;

/// <summary>The target BTF for user-space CO-RE: a BTF file the caller names, or the running kernel's
/// <c>/sys/kernel/btf/vmlinux</c> with the split BTF of its loaded modules (<c>/sys/kernel/btf/&lt;module&gt;</c>),
/// parsed on first need and kept for the process.</summary>
public static class CoreTargets
{
    const string SysfsBtf = "/sys/kernel/btf";
    static readonly Lazy<CoreTarget> Running = new(() => new CoreTarget(new CoreTargetBtf("vmlinux", KernelBtf.Vmlinux), RunningModules()));
    static readonly Dictionary<string, CoreTarget> Files = new(StringComparer.Ordinal);

    /// <summary>The target the options name.</summary>
    public static CoreTarget For(CoreOptions options)
    {
        if (options.KernelBtfPath is string path) return FromFile(path);
        if (!File.Exists(Path.Combine(SysfsBtf, "vmlinux")))
            throw new LoadException($"CO-RE relocation needs the kernel's BTF, but {SysfsBtf}/vmlinux is missing (kernel built without "
                + "CONFIG_DEBUG_INFO_BTF): name a BTF file for this kernel in CoreOptions.KernelBtfPath");
        if (!options.SearchModules) return new CoreTarget(Running.Value.Kernel);
        return Running.Value;
    }

    /// <summary>A BTF file standing for a kernel's vmlinux BTF (parsed once per path).</summary>
    public static CoreTarget FromFile(string path)
    {
        string full = Path.GetFullPath(path);
        lock (Files)
        {
            if (Files.TryGetValue(full, out var cached)) return cached;
            BtfSpec spec;
            try { spec = BtfSpec.ParseFile(full); }
            catch (BtfFormatException e) { throw new LoadException($"CO-RE target BTF: {e.Message}", e); }
            var target = CoreTarget.Of(spec, Path.GetFileName(full));
            Files[full] = target;
            return target;
        }
    }

    /// <summary>Each loaded module's BTF, split on top of vmlinux, parsed only when a type is not found in vmlinux.</summary>
    static IEnumerable<CoreTargetBtf> RunningModules()
    {
        if (!Directory.Exists(SysfsBtf)) yield break;
        foreach (var file in Directory.EnumerateFiles(SysfsBtf).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (name == "vmlinux") continue;
            BtfSpec spec;
            try { spec = BtfSpec.ParseSplit(File.ReadAllBytes(file), KernelBtf.Vmlinux); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BtfFormatException) { continue; }
            yield return new CoreTargetBtf(name, spec, KernelBtf.Vmlinux.Types.Count);
        }
    }
}
