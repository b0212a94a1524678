using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A BPF program loaded into the kernel (BPF_PROG_LOAD), owned through its fd. Attach it with the
/// <c>Attach*</c> methods (each returns an <see cref="ILink"/> that detaches on dispose) or run it with
/// <see cref="TestRun(ReadOnlySpan{byte}, int)"/>.</summary>
public sealed unsafe partial class Program : IDisposable
{
    internal Program(ProgramSpec spec, LinkedProgram code, ProgramHandle handle, string? verifierLog)
    {
        Spec = spec;
        Code = code;
        Handle = handle;
        VerifierLog = verifierLog;
    }

    /// <summary>Loads one program on its own: sub-programs it calls are taken from <paramref name="functions"/>; it must
    /// not reference maps or global data (load those through <see cref="Collection.Load"/>).</summary>
    public static Program Load(ProgramSpec spec, IReadOnlyList<ProgramSpec>? functions = null, string license = "GPL", ProgramOptions? options = null)
    {
        var linked = ProgramLinker.Link(spec, functions ?? [spec]);
        if (linked.Relocations.Count > 0)
            throw new LoadException($"program '{spec.Name}' references {linked.Relocations[0].Kind} '{linked.Relocations[0].Symbol}': load it with Collection.Load");
        var (handle, log) = ProgramLoader.Load(ProgramLoader.For(spec, linked, license, 0, null, options ?? new ProgramOptions(), null));
        return new Program(spec, linked, handle, log);
    }

    public ProgramSpec Spec { get; }
    public string Name => Spec.Name;
    public ProgramType Type => Spec.Type;
    public AttachType ExpectedAttachType => Spec.ExpectedAttachType;
    /// <summary>The ELF section (<c>tracepoint/syscalls/sys_enter_openat</c>), which says how to attach it.</summary>
    public string SectionName => Spec.SectionName;
    /// <summary>The instructions as loaded (sub-programs appended, calls and references resolved) with their line info.</summary>
    public LinkedProgram Code { get; }
    public ProgramHandle Handle { get; }
    public int Fd => Handle.Fd;
    /// <summary>The verifier's log of a successful load, when <see cref="ProgramOptions.LogLevel"/> asked for one.</summary>
    public string? VerifierLog { get; }
    public string? PinnedPath { get; private set; }

    /// <summary>What the kernel reports about the program (id, tag, sizes, func/line info counts).</summary>
    public ProgramInfo GetInfo()
    {
        var info = ObjectInfo.Get<KernelProgInfo>(Handle, $"get info of program '{Name}'");
        return new ProgramInfo(info.Id, (ProgramType)info.Type, ObjectName.Read(new ReadOnlySpan<byte>(info.Name, 16)),
            Convert.ToHexStringLower(new ReadOnlySpan<byte>(info.Tag, 8)), info.XlatedProgLen, info.JitedProgLen, info.NrFuncInfo, info.NrLineInfo);
    }

    /// <summary>Pins the program on a bpffs mount (BPF_OBJ_PIN).</summary>
    public void Pin(string path)
    {
        ObjectInfo.Pin(Handle, path, $"pin program '{Name}' at '{path}'");
        PinnedPath = path;
    }

    public void Unpin()
    {
        if (PinnedPath is null) return;
        File.Delete(PinnedPath);
        PinnedPath = null;
    }

    public void Dispose() => Handle.Dispose();

    public override string ToString() => $"program '{Name}' ({Type}, section {SectionName})";
}

/// <summary>What the kernel reports about a program (<c>struct bpf_prog_info</c>).</summary>
public sealed record ProgramInfo(uint Id, ProgramType Type, string Name, string Tag, uint XlatedLength, uint JitedLength, uint FuncInfoCount, uint LineInfoCount);
