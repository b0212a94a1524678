using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

// CONTRACT between Discovery (model helper) and Codegen (codegen helper).
// Discovery turns a [BpfObject] class into this plain model; codegen reads it to resolve fields
// (map or global?) and program contexts. Symbols are Roslyn symbols of the one Compilation.

/// <summary>One <c>[BpfObject]</c> class: becomes one <c>&lt;ClassName&gt;.bpf.o</c>.</summary>
public sealed class BpfObjectModel
{
    public required INamedTypeSymbol Class { get; init; }
    public string Name => Class.Name;
    public required string License { get; init; }
    public List<ProgramModel> Programs { get; } = new();
    public List<MapModel> Maps { get; } = new();
    public List<GlobalModel> Globals { get; } = new();
    /// <summary>The kernel variables (<c>[Ksym]</c> fields) the object declares.</summary>
    public List<KernelVariableModel> KernelVariables { get; } = new();

    /// <summary>Constant bytes codegen places in <c>.rodata</c> after the globals (e.g. the format
    /// string of <c>Bpf.Printk</c>), in the order added; see <see cref="AddReadOnlyData"/>.</summary>
    public IReadOnlyList<ReadOnlyDataModel> ReadOnlyData => _readOnlyData;
    readonly List<ReadOnlyDataModel> _readOnlyData = new();

    /// <summary>Places <paramref name="bytes"/> in <c>.rodata</c> (after the <c>.rodata</c> globals, identical
    /// blobs shared) and returns its byte offset in the section: reference it with a
    /// <see cref="Ebpf.Object.RelocationKind.GlobalData"/> relocation on <c>.rodata</c> whose ld_imm64 constant is that offset.
    /// Include the terminating NUL of a C string in <paramref name="bytes"/>.</summary>
    public uint AddReadOnlyData(ReadOnlySpan<byte> bytes, int alignment = 1)
    {
        foreach (var existing in _readOnlyData)
            if (existing.Bytes.AsSpan().SequenceEqual(bytes) && existing.Offset % (uint)alignment == 0) return existing.Offset;
        uint end = Globals.Where(g => g.Section == ".rodata").Select(g => g.Offset + g.Size)
            .Concat(_readOnlyData.Select(d => d.Offset + (uint)d.Bytes.Length)).DefaultIfEmpty(0u).Max();
        uint offset = (end + (uint)alignment - 1) / (uint)alignment * (uint)alignment;
        _readOnlyData.Add(new ReadOnlyDataModel(offset, bytes.ToArray()));
        return offset;
    }

    public MapModel? FindMap(IFieldSymbol field) => Maps.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.Field, field));
    public GlobalModel? FindGlobal(IFieldSymbol field) => Globals.FirstOrDefault(g => SymbolEqualityComparer.Default.Equals(g.Field, field));
    public KernelVariableModel? FindKernelVariable(IFieldSymbol field) => KernelVariables.FirstOrDefault(v => SymbolEqualityComparer.Default.Equals(v.Field, field));
}

/// <summary>A <c>[Ksym]</c> field: the kernel variable <paramref name="Name"/> (C's <c>extern T name __ksym</c>).</summary>
public sealed record KernelVariableModel(IFieldSymbol Field, string Name);

/// <summary>Bytes placed in <c>.rodata</c> by codegen (not a C# field): see <see cref="BpfObjectModel.AddReadOnlyData"/>.</summary>
public sealed record ReadOnlyDataModel(uint Offset, byte[] Bytes);

/// <summary>The program attribute a method carries (language.md §2).</summary>
public enum ProgramKind
{
    Tracepoint, RawTracepoint, TracepointBtf, Kprobe, Kretprobe, Uprobe, Uretprobe, Fentry, Fexit, Lsm, Xdp, Tc, SocketFilter, CgroupSkb, PerfEvent,
    RawTracepointWritable, Iterator, Syscall, SkMsg, SkSkb, SockOps, CgroupSock, CgroupSockAddr, CgroupSysctl, CgroupSockopt, CgroupDevice,
    SkLookup, FlowDissector, Netfilter,
}

/// <summary>Which context a program receives in R1, and so how its first parameter is read.</summary>
public enum ContextKind
{
    /// <summary><c>in T</c> with T the tracepoint's record layout (or a syscall program's argument struct): field reads are ctx loads.</summary>
    TracepointRecord,
    PtRegs, RawTracepoint, Tracing, Xdp, SkBuff, PerfEvent,
    Sock, SockAddr, SockOps, SkMsg, SkLookup, Sysctl, Sockopt, CgroupDevice, Netfilter,
}

/// <summary>An entry program: a static method with a program attribute.</summary>
public sealed class ProgramModel
{
    public required IMethodSymbol Method { get; init; }
    /// <summary>libbpf section name, e.g. <c>tracepoint/syscalls/sys_enter_openat</c>, <c>xdp</c>.</summary>
    public required string SectionName { get; init; }
    public required ProgramType Type { get; init; }
    public AttachType ExpectedAttachType { get; init; }
    public required ContextKind Context { get; init; }
    /// <summary>The attribute the method carries.</summary>
    public ProgramKind Kind { get; init; }
    /// <summary>What to attach to, as written in the section name after the prefix (<c>syscalls/sys_enter_openat</c>,
    /// a kernel function, <c>/bin/bash:readline</c>), or null.</summary>
    public string? AttachTarget { get; init; }
}

/// <summary>A map: a static readonly field of a map type.</summary>
public sealed class MapModel
{
    public required IFieldSymbol Field { get; init; }
    public string Name => Field.Name;
    public required MapType Type { get; init; }
    /// <summary>Key type (uint for arrays), null for maps without keys (ringbuf, queue, stack).</summary>
    public ITypeSymbol? KeyType { get; init; }
    public ITypeSymbol? ValueType { get; init; }
    /// <summary>Key size in bytes (from <see cref="KeyType"/>, or the map type's fixed size; 0 when the map has no key).</summary>
    public uint KeySize { get; init; }
    /// <summary>Value size in bytes (from <see cref="ValueType"/>, or the map type's fixed size; 0 when none, as for ring buffers).</summary>
    public uint ValueSize { get; init; }
    public required uint MaxEntries { get; init; }
    public uint Flags { get; init; }
    public MapPinning Pinning { get; init; }
    /// <summary>The inner map template of a map of maps, or null.</summary>
    public InnerMapModel? Inner { get; init; }
}

/// <summary>The template every inner map of a map of maps matches (its <c>TInner</c> and <c>innerMaxEntries</c>).</summary>
public sealed record InnerMapModel(MapType Type, ITypeSymbol? KeyType, ITypeSymbol? ValueType, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags);

/// <summary>A global variable in <c>.rodata</c>, <c>.data</c> or <c>.bss</c>.</summary>
public sealed class GlobalModel
{
    public required IFieldSymbol Field { get; init; }
    public string Name => Field.Name;
    /// <summary><c>.rodata</c>, <c>.data</c> or <c>.bss</c>.</summary>
    public required string Section { get; init; }
    /// <summary>Byte offset inside the section.</summary>
    public required uint Offset { get; init; }
    public required uint Size { get; init; }
    /// <summary>Initial bytes (little-endian); all zero for .bss.</summary>
    public required byte[] InitialValue { get; init; }
}
