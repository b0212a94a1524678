using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Backend;

/// <summary>One IR stack slot in the final frame: its name (the local, or <c>stackalloc</c>, <c>tmp</c>, <c>arg</c>...),
/// bytes, offset from R10 and the source that created it.</summary>
public sealed record StackSlotUse(string Name, int Size, int Offset, SourceLocation? Source);

/// <summary>A function's stack after register allocation: the frame size the verifier sees, its slots (bytes
/// shared by slots with disjoint lifetimes counted once in <see cref="Size"/>), and the spilled registers.</summary>
public sealed record StackFrameReport(int Size, IReadOnlyList<StackSlotUse> Slots, int SpillBytes)
{
    /// <summary>The report of a function compiled to <paramref name="machine"/> from <paramref name="ir"/>.</summary>
    public static StackFrameReport Of(IrFunction ir, MachineFunction machine)
    {
        var sources = new Dictionary<StackSlot, SourceLocation>();
        foreach (var address in ir.Instructions.OfType<FrameAddressInstruction>())
            if (address.Location is { } location && !sources.ContainsKey(address.Slot)) sources[address.Slot] = location;
        var slots = machine.Frame.Slots
            .Select(p => new StackSlotUse(p.Key.Name, p.Key.Size, p.Value, sources.TryGetValue(p.Key, out var s) ? s : null))
            .OrderByDescending(s => s.Size).ThenBy(s => s.Offset).ToList();
        return new StackFrameReport(machine.Frame.Size, slots, machine.Frame.SpillBytes);
    }

    /// <summary>"'buf' 320 B (line 12), 'key' 16 B (line 14), 5 more slots 40 B, spills 16 B": the largest slots first.</summary>
    public string Breakdown(int largest = 3)
    {
        var parts = Slots.Take(largest).Select(s => $"'{s.Name}' {s.Size} B" + (s.Source is { } src ? $" (line {src.Line})" : "")).ToList();
        int rest = Slots.Count - largest;
        if (rest > 0) parts.Add($"{rest} more slot{(rest == 1 ? "" : "s")} {Slots.Skip(largest).Sum(s => s.Size)} B");
        if (SpillBytes > 0) parts.Add($"spilled registers {SpillBytes} B");
        int total = Slots.Sum(s => s.Size) + SpillBytes;
        if (total > Size) parts.Add($"{total - Size} B shared by values not alive at the same time");
        return string.Join(", ", parts);
    }
}
