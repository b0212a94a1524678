using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

// One table for every layer that shows a verifier rejection: the analyzers' descriptors (Ebpf.Rules), `ebpf build
// --verify` and the runtime's VerifierException, so a kernel message gets the same ID and explanation wherever it
// is shown.
namespace Ebpf.Verifier;

/// <summary>A class of kernel verifier messages: its diagnostic ID (EBPF22xx), the pattern of the kernel's
/// reason line, and what it means for a C# program and how to fix it.</summary>
public sealed class VerifierMessageClass
{
    public VerifierMessageClass(string id, string title, string pattern, string meaning)
    {
        Id = id;
        Title = title;
        Pattern = new Regex(pattern, RegexOptions.CultureInvariant);
        Meaning = meaning;
    }

    /// <summary>EBPF22xx.</summary>
    public string Id { get; }
    public string Title { get; }
    /// <summary>Matches the kernel's reason (a line of the verifier log, kernel/bpf/verifier.c).</summary>
    public Regex Pattern { get; }
    /// <summary>What the rejection means for the C# source and how to fix it.</summary>
    public string Meaning { get; }
}

/// <summary>The table of kernel verifier messages (kernel/bpf/verifier.c), most specific first.</summary>
public static class VerifierMessageCatalog
{
    /// <summary>The class of a rejection the catalog does not know.</summary>
    public static readonly VerifierMessageClass Unclassified = new("EBPF2299", "Verifier rejection",
        @"(?!)", "the kernel verifier rejected the program for a reason this catalog does not classify yet; the full verifier log follows");

    /// <summary>Every class, in match order (the first whose pattern matches the reason wins): a specific class comes
    /// before the generic one whose wording the kernel appends (map value out of range, then "min value is outside of
    /// the allowed memory range"; a never-written slot inside the frame, which loaders without CAP_PERFMON get as
    /// "invalid read from stack R2 off=-4", before a stack access out of range).</summary>
    public static readonly IReadOnlyList<VerifierMessageClass> All = new[]
    {
        new VerifierMessageClass("EBPF2201", "Map value used without a null check",
            @"invalid mem access '(map_value_or_null|ptr_or_null_\w*|(?!ringbuf_|mem_or_null)[a-z_]*_or_null)'|R\d+ type=map_(value|ptr)_or_null expected=",
            "a map lookup's result is used before it is tested; the lookup returns null when the key is absent: test it with 'if (Unsafe.IsNullRef(ref v)) return ...;' before the use (or use TryGetValue; for an inner map of a map of maps, 'if (inner == null) return ...;')"),
        new VerifierMessageClass("EBPF2202", "Ring-buffer record used without a null check",
            @"type=ringbuf_mem_or_null expected=|invalid mem access 'ringbuf_mem_or_null'|invalid mem access 'mem_or_null'",
            "a ring-buffer reservation is used before it is tested; Reserve returns null when the ring is full: test it with 'if (Unsafe.IsNullRef(ref e)) return ...;' first"),
        new VerifierMessageClass("EBPF2203", "Packet access outside the checked range",
            @"invalid access to packet, off=|R\d+ offset is outside of the packet",
            "the program reads or writes packet bytes the verifier has not seen checked: compare the pointer with data_end first ('if (data + N > data_end) return ...;' covering every byte read) or use ctx.TryRead"),
        new VerifierMessageClass("EBPF2205", "Map value access out of range",
            @"invalid access to map value, value_size=\d+ off=-?\d+ size=\d+",
            "the program accesses a map value outside the value's size: check the index against the value type's length before the access"),
        new VerifierMessageClass("EBPF2204", "Unbounded memory access",
            @"unbounded memory access|min value is negative, either use unsigned|R\d+ (min|max) value is outside of the allowed memory range|R\d+ unbounded|math between \S+ pointer and register with unbounded min value|value -?\d+ makes \S+ pointer be out of bounds",
            "an offset or size comes from a value the verifier knows no bounds of: clamp it just before the access ('if (n > MAX) n = MAX;' or 'n &= MAX_POW2 - 1'), unsigned, within the buffer"),
        new VerifierMessageClass("EBPF2206", "Combined stack size too large",
            @"combined stack size of \d+ calls is \d+\. Too large",
            "the functions on one BPF-to-BPF call chain use more than 512 bytes of stack together: make large locals smaller, move them into a per-CPU array map, or let the compiler inline a callee"),
        new VerifierMessageClass("EBPF2208", "Uninitialized stack read",
            @"invalid (indirect )?read from stack R\d+ off -?\d+\+\d+ size|invalid (indirect )?read from stack R\d+ off=-([1-9]|[1-9]\d|[1-4]\d\d|50\d|51[0-2]) size|uninit stack",
            "the program passes or reads stack memory it never wrote: initialize the struct or buffer (e.g. 'T v = default;') before passing its address to a helper"),
        new VerifierMessageClass("EBPF2207", "Stack access out of range",
            @"invalid (write|read) to stack|invalid stack off=|invalid (variable-offset )?(indirect )?(read from|access to) stack|stack depth \d+|invalid size of register spill",
            "the program accesses stack memory outside a function's 512-byte frame (or through an offset the verifier cannot bound): keep stack buffers small and index them with bounded values"),
        new VerifierMessageClass("EBPF2209", "Uninitialized register read",
            @"R\d+ !read_ok",
            "an instruction reads a register no path has set (often a helper's argument or the return value on some path): make sure every path assigns the value before it is used"),
        new VerifierMessageClass("EBPF2210", "Back-edge or infinite loop",
            @"back-edge from insn \d+ to \d+|infinite loop detected",
            "the verifier found a loop it cannot prove ends (on kernels before 5.3 any loop): bound the loop with a constant or a clamped value, or use Bpf.Loop"),
        new VerifierMessageClass("EBPF2211", "Program too complex for the verifier",
            @"BPF program is too large\. Processed \d+ insn|The sequence of \d+ jumps is too complex|too many states",
            "verifying the program walked more than the kernel's limit of 1 million instructions (every path, every loop iteration): bound loops tighter, split work across tail calls, or move per-iteration work into Bpf.Loop"),
        new VerifierMessageClass("EBPF2212", "Program too large",
            @"program too large|BPF_MAXINSNS|jump out of range from insn \d+|too many instructions",
            "the program has more instructions than the kernel accepts (4096 for unprivileged loaders, or a jump too far): split it into sub-programs or tail calls"),
        new VerifierMessageClass("EBPF2213", "GPL-only helper under a non-GPL license",
            @"cannot call GPL-restricted function from non-GPL compatible program",
            "the helper is exported to GPL-compatible programs only: declare [BpfObject(License = \"GPL\")] or \"Dual BSD/GPL\"/\"Dual MIT/GPL\", or avoid the helper"),
        new VerifierMessageClass("EBPF2214", "Helper not available to this program type",
            @"unknown func \S+#\d+|program of this type cannot use helper \S+#\d+|helper call is not allowed in probe",
            "the kernel does not offer this helper to this program type (or this kernel lacks it): use a helper of this program type, or another program type"),
        new VerifierMessageClass("EBPF2215", "Unreleased reference",
            @"Unreleased reference id=\d+ alloc_insn=\d+",
            "a reference the program acquired (a ring-buffer reservation, a socket lookup) is not released on some path: submit or discard the record (release the socket) on every path, including early returns"),
        new VerifierMessageClass("EBPF2216", "Scalar used as a pointer",
            @"R\d+ invalid mem access '(scalar|inv)'",
            "the program dereferences a plain number (a kernel or user address, or a pointer the verifier lost track of): read kernel memory with Bpf.ProbeReadKernel and user memory with Bpf.ProbeReadUser"),
        new VerifierMessageClass("EBPF2217", "Invalid context access",
            @"invalid bpf_context access off=-?\d+ size=\d+|dereference of modified ctx ptr|invalid access to context",
            "the program reads a context field this program type may not read (tracepoints: the first 8 bytes of common fields), at a wrong size, or through a modified context pointer: read only the fields the program type exposes, with their declared size"),
        new VerifierMessageClass("EBPF2218", "Misaligned access",
            @"misaligned (packet |stack |value |context |)access|misaligned access off",
            "the access is not aligned to its size where the kernel requires it: align the struct's fields (drop Pack=1 or reorder fields), or read unaligned packet data with ctx.TryRead"),
        new VerifierMessageClass("EBPF2219", "Invalid function or call",
            @"invalid func \S+|call to invalid destination|function calls are not allowed while holding a lock|invalid BPF_CALL",
            "the program calls a helper id or function the kernel does not know: check the helper exists on this kernel, and that sub-programs are part of the object"),
        new VerifierMessageClass("EBPF2220", "Helper argument of the wrong type",
            @"R\d+ type=\S+ expected=\S+|arg#\d+ expected pointer|R\d+ is not a (pointer|scalar)",
            "a helper received an argument of a kind it does not take (e.g. a map value where a stack pointer is expected, or a value that may be null): pass the kind of pointer the helper's parameter names, after its null check"),
        new VerifierMessageClass("EBPF2221", "Invalid return value",
            @"At program exit the register R0 has|R0 leaks addr as return value",
            "the program returns a value outside the range its type allows (e.g. an XDP action, 0 or 1 for cgroup programs) or a pointer: return one of the program type's valid values"),
        new VerifierMessageClass("EBPF2222", "Pointer arithmetic or comparison not allowed",
            @"pointer arithmetic (on|of|with) .* prohibited|pointer comparison prohibited|R\d+ pointer \S+ pointer prohibited|math between \S+ pointer and",
            "the program does arithmetic or comparisons on a pointer of a kind the verifier forbids (a map value or null, the context, a pointer from another map): test for null first and keep pointer math within one object"),
        new VerifierMessageClass("EBPF2223", "Write into read-only memory",
            @"write into map forbidden|cannot write into (packet|rdonly|\S+)|the prog does not allow writes to packet data|R\d+ leaks addr into",
            "the program writes where this program type may not write (a read-only map such as .rodata, the packet of a program without direct write access), or stores a pointer into a map: write only to writable memory, and store numbers, not pointers"),
        new VerifierMessageClass("EBPF2224", "Call stack too deep",
            @"the call stack of \d+ frames is too deep",
            "BPF-to-BPF calls nest more than 8 frames deep: inline some callees ([MethodImpl(MethodImplOptions.AggressiveInlining)])"),
        new VerifierMessageClass("EBPF2225", "Sleepable helper in a non-sleepable program",
            @"helper call might sleep in a non-sleepable prog|sleepable",
            "the helper may sleep, which only sleepable programs (fentry.s, lsm.s, uprobe.s...) may do: use the non-sleeping variant or a sleepable program type"),
        new VerifierMessageClass("EBPF2226", "Invalid map reference",
            @"fd \d+ is not pointing to valid bpf_map|map_ptr|invalid map_ptr to access map->type",
            "an instruction refers to a map the kernel did not receive (a relocation the loader could not resolve): make sure the map is a field of the [BpfObject] class and loads with the program"),
        new VerifierMessageClass("EBPF2227", "Invalid instruction",
            @"unknown opcode|invalid (bpf_ld_imm64|BPF_LD_IMM|BPF_ALU|BPF_JMP|BPF_EXIT|src_reg|dst_reg|insn)|R\d+ is invalid|frame pointer is read only|BPF_EXIT uses reserved fields",
            "the object contains an instruction this kernel does not accept (an ISA feature newer than the kernel, or a malformed instruction): target the kernel's ISA, and report it if the compiler produced it"),
        new VerifierMessageClass("EBPF2228", "Unreachable instruction",
            @"unreachable insn \d+",
            "the program contains instructions no path reaches, which the kernel refuses: remove the dead code (the compiler never emits it; a hand-assembled or patched program may)"),
        Unclassified,
    };

    /// <summary>The class of the verifier's <paramref name="reason"/> (<see cref="Unclassified"/> when none matches).</summary>
    public static VerifierMessageClass Classify(string reason)
    {
        foreach (var c in All)
            if (c.Pattern.IsMatch(reason)) return c;
        return Unclassified;
    }

    /// <summary>The diagnostic line: <c>File.cs(12,5): error EBPF22xx: &lt;kernel reason&gt;: &lt;meaning and fix&gt;</c>
    /// (without the location prefix when <paramref name="location"/> is null).</summary>
    public static string Format(string? location, string reason)
    {
        var c = Classify(reason);
        return $"{(location is null ? "" : location + ": ")}error {c.Id}: {reason.Trim()}: {c.Meaning}";
    }
}
