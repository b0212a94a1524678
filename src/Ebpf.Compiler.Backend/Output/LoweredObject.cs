using Ebpf.Compiler.Types;
using Ebpf.Object;

namespace Ebpf.Compiler.Output;

/// <summary>What object assembly needs of one <c>[BpfObject]</c> class besides its compiled functions, as plain data the
/// frontend derives from discovery (<c>Frontend.ObjectLowering</c>): maps, global data sections and the prototypes of
/// the kfuncs the code calls.</summary>
/// <param name="DataSections">The global data sections in the order they are written (<c>.rodata</c>, <c>.data</c>, <c>.bss</c>).</param>
/// <param name="KernelFunctions">Each called kfunc's declaration, by kernel name.</param>
/// <param name="KernelVariables">Each declared kernel variable's type (<c>[Ksym]</c> fields), by kernel name.</param>
public sealed record LoweredObject(
    string Name,
    string License,
    IReadOnlyList<LoweredMap> Maps,
    IReadOnlyList<LoweredDataSection> DataSections,
    IReadOnlyDictionary<string, FunctionPrototype> KernelFunctions,
    IReadOnlyDictionary<string, DataType>? KernelVariables = null);

/// <summary>A map, its key and value as plain types (null where the map has none).</summary>
public sealed record LoweredMap(string Name, MapType Type, DataType? KeyType, DataType? ValueType, uint KeySize, uint ValueSize, uint MaxEntries,
    uint Flags, MapPinning Pinning, LoweredInnerMap? Inner);

/// <summary>The inner map template of a map of maps.</summary>
public sealed record LoweredInnerMap(MapType Type, DataType? KeyType, DataType? ValueType, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags);

/// <summary>A global data section: its variables, the constant blobs codegen pooled in it, whether its variables are set
/// only before load (<c>.rodata</c>: <c>const volatile</c> VARs), and whether it is zero-filled (<c>.bss</c>: no contents).</summary>
public sealed record LoweredDataSection(string Name, IReadOnlyList<LoweredGlobal> Globals, IReadOnlyList<PooledData> Pooled, bool IsReadOnly, bool IsZeroFilled);

/// <summary>A global variable with its plain type, at a byte offset of its section.</summary>
public sealed record LoweredGlobal(string Name, uint Offset, uint Size, byte[] InitialValue, DataType Type);

/// <summary>Constant bytes codegen placed in a section (a <c>Bpf.Printk</c> format string), at a byte offset.</summary>
public sealed record PooledData(uint Offset, byte[] Bytes);

/// <summary>An entry program's section and kernel types, and what its context argument points to.</summary>
/// <param name="KernelContextStruct">The kernel struct a <see cref="ContextPointer.KernelStruct"/> context points to.</param>
public sealed record LoweredProgram(string SectionName, ProgramType Type, AttachType ExpectedAttachType, string? AttachTarget,
    ContextPointer Context, string? KernelContextStruct = null);

/// <summary>What an entry program's context argument points to, as its BTF prototype says.</summary>
public enum ContextPointer
{
    /// <summary>The type of the program's first C# parameter (a tracepoint record, a syscall program's arguments).</summary>
    FirstParameter,
    /// <summary>An array of u64 (BPF_PROG-style tracing programs).</summary>
    ArgumentArray,
    /// <summary>A kernel context struct, declared but not defined (the kernel's BTF has it).</summary>
    KernelStruct,
}
