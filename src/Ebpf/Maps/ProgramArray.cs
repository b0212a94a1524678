namespace Ebpf;

/// <summary>A table of programs for tail calls (BPF_MAP_TYPE_PROG_ARRAY): <see cref="Bpf.TailCall{TContext}"/>
/// jumps to the program at an index and does not return.</summary>
/// <remarks>Kernel 4.2. User space fills the entries with program file descriptors; all must be of the
/// caller's program type. Managed: <see cref="Set{TContext, TResult}"/> registers a method, and
/// <see cref="BpfProgram.Run{TContext, TResult}"/> runs a program following its tail calls.</remarks>
[BpfMap(MapType.ProgArray, KeySize = 4, ValueSize = 4)]
public sealed class ProgramArray : BpfMap
{
    readonly Delegate?[] _programs;

    /// <summary>Defines the table: <paramref name="maxEntries"/> slots, all empty.</summary>
    public ProgramArray(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.ProgArray, maxEntries, flags, pinning) => _programs = new Delegate?[maxEntries];

    /// <summary>Puts <paramref name="program"/> in slot <paramref name="index"/>, as user space stores a program's fd.</summary>
    [ManagedOnly]
    public void Set<TContext, TResult>(uint index, Func<TContext, TResult> program)
    {
        ArgumentNullException.ThrowIfNull(program);
        CheckIndex(index);
        lock (_programs) _programs[index] = program;
    }

    /// <summary>Empties slot <paramref name="index"/>.</summary>
    [ManagedOnly]
    public void Remove(uint index)
    {
        CheckIndex(index);
        lock (_programs) _programs[index] = null;
    }

    /// <summary>The number of filled slots.</summary>
    [ManagedOnly] public int Count { get { lock (_programs) return _programs.Count(p => p is not null); } }

    /// <summary>Empties every slot.</summary>
    [ManagedOnly] public void Clear() { lock (_programs) Array.Clear(_programs); }

    internal Delegate? At(uint index)
    {
        if (index >= _programs.Length) return null;
        lock (_programs) return _programs[index];
    }

    void CheckIndex(uint index)
    {
        if (index >= _programs.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"Slot {index} is outside the table of {_programs.Length}.");
    }
}
