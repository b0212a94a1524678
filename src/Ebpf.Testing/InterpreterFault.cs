using Ebpf.Runtime;

namespace Ebpf.Testing;

/// <summary>Why the interpreter stopped a program: what the kernel verifier would have rejected, or what would have
/// gone wrong at run time.</summary>
public enum FaultKind
{
    /// <summary>A load or store outside every mapped region, or across a region's end.</summary>
    OutOfBounds,
    /// <summary>A load or store at an address in the first page (a NULL pointer, e.g. an unchecked map lookup).</summary>
    NullDereference,
    /// <summary>A store into read-only memory (<c>.rodata</c>, a context pointer field).</summary>
    ReadOnlyWrite,
    /// <summary>The instruction budget ran out (a runaway loop).</summary>
    BudgetExhausted,
    /// <summary>A helper the interpreter does not implement and the test did not provide.</summary>
    UnknownHelper,
    /// <summary>A helper was called with arguments the kernel refuses (a pointer that is not a map, a record not reserved).</summary>
    InvalidHelperArgument,
    /// <summary>An opcode outside the instruction set, or a jump out of the program.</summary>
    InvalidInstruction,
    /// <summary>More than 8 nested BPF-to-BPF call frames (MAX_CALL_FRAMES).</summary>
    CallDepth,
}

/// <summary>A program run stopped by the interpreter: the kind of fault, the instruction (slot index as the verifier
/// counts it, and its C# source line when the object has line info), and for memory faults the address and region.</summary>
public sealed class InterpreterFault : Exception
{
    internal InterpreterFault(FaultKind kind, string program, int instructionIndex, string instruction, SourceLocation? source,
        ulong? address, string? region, string detail)
        : base(Format(kind, program, instructionIndex, instruction, source, detail))
    {
        Kind = kind;
        Program = program;
        InstructionIndex = instructionIndex;
        Instruction = instruction;
        SourceLine = source;
        Address = address;
        Region = region;
        Detail = detail;
    }

    public FaultKind Kind { get; }
    /// <summary>The entry program that was running.</summary>
    public string Program { get; }
    /// <summary>The faulting instruction's slot index in the linked program (what <c>bpftool prog dump xlated</c> and the
    /// verifier log number).</summary>
    public int InstructionIndex { get; }
    /// <summary>The faulting instruction in the kernel's notation.</summary>
    public string Instruction { get; }
    /// <summary>The C# source of the instruction, from the object's line info (null without .BTF.ext).</summary>
    public SourceLocation? SourceLine { get; }
    /// <summary>The address accessed (memory faults).</summary>
    public ulong? Address { get; }
    /// <summary>The region the address was in or nearest to, e.g. <c>stack of frame 0 [0x.., 0x..)</c> (memory faults).</summary>
    public string? Region { get; }
    /// <summary>What went wrong, without the location.</summary>
    public string Detail { get; }

    static string Format(FaultKind kind, string program, int index, string instruction, SourceLocation? source, string detail)
    {
        var where = source is null ? "" : $"{source}: ";
        var line = source is null || string.IsNullOrWhiteSpace(source.LineText) ? "" : $" [{source.LineText.Trim()}]";
        return $"{where}{program}: instruction {index} ({instruction}){line}: {kind}: {detail}";
    }
}
