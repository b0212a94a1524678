namespace Ebpf.Runtime;

/// <summary>Options for <see cref="Collection.Load"/>.</summary>
public sealed class CollectionOptions
{
    /// <summary>The object's name; its first 8 characters prefix the kernel names of the data-section maps as libbpf
    /// does (<c>OpenCoun.rodata</c>). libbpf takes the file name up to the first dot; the default is <c>bpf</c>.</summary>
    public string? ObjectName { get; set; }

    public MapOptions Maps { get; set; } = new();

    public ProgramOptions Programs { get; set; } = new();

    /// <summary>Load without the object's BTF (no BTF key/value types on maps, no func_info/line_info). The loader
    /// falls back to this on its own when the kernel rejects the BTF.</summary>
    public bool DisableBtf { get; set; }

    /// <summary>How CO-RE relocations are resolved: in user space against the running kernel's BTF (default), against
    /// a BTF file, or by the kernel itself.</summary>
    public CoreOptions Core { get; set; } = new();

    /// <summary>Which entry programs to load; by default all but those whose section starts with '?' (libbpf's
    /// no-autoload marker, <c>SEC("?xdp")</c>). Programs not loaded are absent from <see cref="Collection.Programs"/>.</summary>
    public Func<Ebpf.Object.ProgramSpec, bool>? ShouldLoad { get; set; }
}
