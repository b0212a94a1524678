using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Model;

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

    public MapModel? FindMap(IFieldSymbol field) => Maps.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.Field, field));
    public GlobalModel? FindGlobal(IFieldSymbol field) => Globals.FirstOrDefault(g => SymbolEqualityComparer.Default.Equals(g.Field, field));
}

/// <summary>Which context a program receives in R1, and so how its first parameter is read.</summary>
public enum ContextKind
{
    /// <summary><c>in T</c> with T the tracepoint's record layout: field reads are ctx loads.</summary>
    TracepointRecord,
    PtRegs, RawTracepoint, Tracing, Xdp, SkBuff, PerfEvent,
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
    public required uint MaxEntries { get; init; }
    public uint Flags { get; init; }
    public MapPinning Pinning { get; init; }
}

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
