using Ebpf.Asm;
using Ebpf.Btf;

namespace Ebpf.Object;

// CONTRACT shared by the compiler (producer), the ELF writer/reader and the runtime (consumer).
// An ObjectSpec is plain, editable data: the runtime may change a map's MaxEntries or bytes of
// .rodata before load. Nothing here depends on the running kernel.

/// <summary>Everything in one <c>.bpf.o</c>: programs, sub-programs, maps, global data and BTF.</summary>
public sealed class ObjectSpec
{
    public string License { get; set; } = "GPL";
    public uint KernelVersion { get; set; }
    /// <summary>Entry programs (each in its own ELF section) and sub-programs (in <c>.text</c>, <see cref="ProgramSpec.IsSubprogram"/>).</summary>
    public List<ProgramSpec> Programs { get; } = new();
    /// <summary>BTF-defined maps of the <c>.maps</c> section, in section order.</summary>
    public List<MapSpec> Maps { get; } = new();
    /// <summary>Global data sections (<c>.rodata</c>, <c>.data</c>, <c>.bss</c>); the runtime turns each into a one-entry array map.</summary>
    public List<DataSectionSpec> DataSections { get; } = new();
    /// <summary>The object's BTF: map definitions, DATASECs, FUNCs. Required by the compiler; null only for BTF-less foreign objects.</summary>
    public BtfSpec? Btf { get; set; }
}

/// <summary>One eBPF function: an entry program or a sub-program called with BPF-to-BPF calls.</summary>
public sealed class ProgramSpec
{
    /// <summary>Symbol name (the C# method name for compiled probes).</summary>
    public required string Name { get; init; }
    /// <summary>ELF section: libbpf's convention (<c>tracepoint/syscalls/sys_enter_openat</c>, <c>xdp</c>), or <c>.text</c> for sub-programs.</summary>
    public required string SectionName { get; init; }
    public ProgramType Type { get; init; }
    public AttachType ExpectedAttachType { get; init; }
    /// <summary>What to attach to, parsed from the section name (<c>syscalls/sys_enter_openat</c>, a function name), or null.</summary>
    public string? AttachTarget { get; init; }
    public bool IsSubprogram => SectionName == ".text";
    public required IReadOnlyList<Instruction> Instructions { get; init; }
    public IReadOnlyList<Relocation> Relocations { get; init; } = Array.Empty<Relocation>();
    /// <summary>func_info records, offsets in slots from this function's first instruction (first record at 0).</summary>
    public IReadOnlyList<BtfFuncInfo> FuncInfos { get; init; } = Array.Empty<BtfFuncInfo>();
    /// <summary>line_info records, offsets in slots from this function's first instruction.</summary>
    public IReadOnlyList<BtfLineInfo> LineInfos { get; init; } = Array.Empty<BtfLineInfo>();
    /// <summary>CO-RE relocations (bpf_core_relo), offsets in slots from this function's first instruction.</summary>
    public IReadOnlyList<BtfCoreRelocation> CoreRelocations { get; init; } = Array.Empty<BtfCoreRelocation>();
}

public enum RelocationKind
{
    /// <summary>ld_imm64 of a map: <see cref="Relocation.Symbol"/> is the map name; the loader writes the map fd (BPF_PSEUDO_MAP_FD).
    /// Canonical form (what the ELF reader returns and the writer stores): src 0, constant 0.</summary>
    Map,
    /// <summary>ld_imm64 of an address in a data section: Symbol is the section name (<c>.rodata</c>...), the instruction's
    /// constant holds the byte offset; the loader writes BPF_PSEUDO_MAP_VALUE with the section's map fd and the offset.
    /// Canonical form: src 0, constant = offset.</summary>
    GlobalData,
    /// <summary>BPF-to-BPF call: Symbol is the called sub-program's name; the loader appends the callee and fixes imm.
    /// Canonical form: src 1 (BPF_PSEUDO_CALL), imm -1.</summary>
    Call,
    /// <summary>Call of a kernel function (kfunc) declared <c>extern ... __ksym</c>: Symbol is the function's name, which
    /// the loader finds in the kernel's BTF, writing its BTF id into imm (BPF_PSEUDO_KFUNC_CALL).
    /// Canonical form: src 2 (BPF_PSEUDO_KFUNC_CALL), imm 0, offset 0.</summary>
    Kfunc,
    /// <summary>ld_imm64 of the address of a kernel variable declared <c>extern T name __ksym</c> (a typed ksym): Symbol
    /// is the variable's name, which the loader finds in the kernel's BTF (a VAR), writing BPF_PSEUDO_BTF_ID with the
    /// VAR's BTF id in the first slot's imm and the fd of the BTF that has it in the second's (0: vmlinux).
    /// Canonical form: src 0, constant 0.</summary>
    Ksym,
}

/// <summary>An instruction whose operand the loader fills in. <paramref name="InstructionIndex"/> indexes
/// <see cref="ProgramSpec.Instructions"/> (instructions, not slots).</summary>
public sealed record Relocation(int InstructionIndex, RelocationKind Kind, string Symbol);

/// <summary>A BTF-defined map (<c>SEC(".maps")</c>).</summary>
public sealed class MapSpec
{
    public required string Name { get; init; }
    public MapType Type { get; set; }
    public uint KeySize { get; set; }
    public uint ValueSize { get; set; }
    public uint MaxEntries { get; set; }
    public uint Flags { get; set; }
    public MapPinning Pinning { get; set; }
    /// <summary>NUMA node to allocate on (<c>numa_node</c>; used only with BPF_F_NUMA_NODE in <see cref="Flags"/>).</summary>
    public uint NumaNode { get; set; }
    /// <summary><c>map_extra</c> (bloom filter hash count, arena address).</summary>
    public ulong MapExtra { get; set; }
    /// <summary>BTF of the key and value (null when the map type has none, e.g. ringbuf).</summary>
    public BtfType? KeyType { get; set; }
    public BtfType? ValueType { get; set; }
    /// <summary>The VAR of the <c>.maps</c> DATASEC describing this map (gives its offset in the section).</summary>
    public BtfVar? BtfVar { get; set; }
    /// <summary>The inner map template of a map of maps (libbpf's <c>__array(values, struct inner)</c>), or null.</summary>
    public MapSpec? InnerMap { get; set; }
}

/// <summary>A global data section. <see cref="Contents"/> is null for <c>.bss</c> (all zero, <see cref="Size"/> bytes).</summary>
public sealed class DataSectionSpec
{
    public required string Name { get; init; }
    public required uint Size { get; init; }
    public byte[]? Contents { get; set; }
    public bool IsReadOnly => Name.StartsWith(".rodata", StringComparison.Ordinal) || Name == ".kconfig";
    /// <summary>The DATASEC describing the variables of this section (name, offset, size, type).</summary>
    public BtfDatasec? BtfDatasec { get; set; }
}
