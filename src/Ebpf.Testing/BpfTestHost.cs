using System.Reflection;
using Ebpf.Object;
using Ebpf.Testing.Objects;

namespace Ebpf.Testing;

/// <summary>Loads compiled eBPF objects into the in-process interpreter for unit tests: <c>BpfTestHost.Load("Probe.bpf.o")</c>,
/// <c>BpfTestHost.Load&lt;MyProbe&gt;()</c> for the object embedded by a <c>[BpfObject]</c> class's build.</summary>
/// <remarks>No kernel, no root: every program type runs, whatever the machine.</remarks>
public static class BpfTestHost
{
    /// <summary>Loads the object file at <paramref name="path"/>; a malformed file throws <see cref="ObjectFormatException"/>.</summary>
    public static BpfVm Load(string path) => Load(ElfObjectReader.ReadFile(path));

    /// <summary>Loads an object from its bytes.</summary>
    public static BpfVm Load(ReadOnlySpan<byte> elf, string name = "<memory>") => Load(ElfObjectReader.Read(elf, name));

    /// <summary>Loads an object already parsed (or produced in memory by the compiler).</summary>
    public static BpfVm Load(ObjectSpec spec) => ObjectLoader.Load(spec);

    /// <summary>Loads the object embedded as resource <paramref name="resourceName"/> of <paramref name="assembly"/>.</summary>
    public static BpfVm Load(Assembly assembly, string resourceName) => Load(ElfObjectReader.ReadEmbedded(assembly, resourceName));

    /// <summary>Loads the object the build compiled from <c>[BpfObject]</c> class <typeparamref name="TProbe"/> and embedded as
    /// <c>&lt;Class&gt;.bpf.o</c> in its assembly.</summary>
    public static BpfVm Load<TProbe>() => Load(typeof(TProbe).Assembly, typeof(TProbe).Name + ".bpf.o");

    /// <summary>As <see cref="Load{TProbe}"/> for a static class (which cannot be a type argument).</summary>
    public static BpfVm Load(Type probeClass) => Load(probeClass.Assembly, probeClass.Name + ".bpf.o");
}
