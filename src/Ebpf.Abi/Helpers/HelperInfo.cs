using System;
using System.Collections.Generic;
using Ebpf.Object;

namespace Ebpf.Abi;

/// <summary>One kernel helper (enum bpf_func_id): its prototype, license requirement, the program types that
/// may call it and the first kernel that has it.</summary>
public sealed class HelperInfo
{
    readonly ulong[] _programTypes;

    internal HelperInfo(int id, string name, string prototype, HelperValueKind returns, HelperValueKind[] arguments,
        bool resultMayBeNull, HelperReference reference, bool? gplOnly, KernelVersion firstKernel, string firstKernelSource, ulong[] programTypes)
    {
        Id = id;
        Name = name;
        Prototype = prototype;
        Returns = returns;
        Arguments = arguments;
        ResultMayBeNull = resultMayBeNull;
        Reference = reference;
        GplOnly = gplOnly;
        FirstKernel = firstKernel;
        FirstKernelSource = firstKernelSource;
        _programTypes = programTypes;
    }

    /// <summary>The helper's id (BPF_FUNC_name), the imm of its call instruction.</summary>
    public int Id { get; }

    /// <summary>The kernel's name, with its bpf_ prefix ("bpf_map_lookup_elem").</summary>
    public string Name { get; }

    /// <summary>The C prototype from the UAPI header's documentation.</summary>
    public string Prototype { get; }

    public HelperValueKind Returns { get; }
    public IReadOnlyList<HelperValueKind> Arguments { get; }

    /// <summary>The result is a pointer that is NULL when the helper finds nothing or fails (the UAPI header's Return
    /// section says so; the verifier types it <c>*_or_null</c>): no load or store through it before a NULL check.</summary>
    public bool ResultMayBeNull { get; }

    /// <summary>Whether the helper acquires a reference (its result) or releases one (its first argument).</summary>
    public HelperReference Reference { get; }

    /// <summary>Whether the verifier refuses the call from a program whose license is not GPL-compatible
    /// ("cannot call GPL-restricted function"); null when no probed kernel lets any program type call it.</summary>
    public bool? GplOnly { get; }

    /// <summary>The first kernel release that has the helper.</summary>
    public KernelVersion FirstKernel { get; }

    /// <summary>Where <see cref="FirstKernel"/> comes from (a document, or a probe).</summary>
    public string FirstKernelSource { get; }

    /// <summary>The oldest probed kernel (<see cref="HelperTable.ProbedKernels"/>) on which a program of
    /// <paramref name="type"/> may call the helper; null when none may, or when the program type was not
    /// probed (see <see cref="HelperTable.IsProbed"/>).</summary>
    public KernelVersion? AvailableSince(ProgramType type)
    {
        var kernels = HelperTable.ProbedKernels;
        for (int i = 0; i < kernels.Count; i++)
            if ((uint)type < 64 && (_programTypes[i] & (1UL << (int)type)) != 0) return kernels[i];
        return null;
    }

    public override string ToString() => $"{Name} (#{Id})";
}
