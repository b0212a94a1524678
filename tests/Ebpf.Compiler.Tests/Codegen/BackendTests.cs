using Ebpf.Asm;
using Ebpf.Compiler.Backend;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>The backend pieces on hand-built machine code.</summary>
public class BackendTests
{
    static Reg V(int n) => new(Reg.FirstVirtual + n);

    [Fact]
    public void Parallel_copies_are_ordered_and_cycles_go_through_a_temporary()
    {
        int next = 100;
        Reg Temp() => V(next++);
        // a <- b, b <- a (a swap) and c <- a (reads a's old value).
        var moves = new List<(Reg, Reg, bool)> { (V(1), V(2), false), (V(2), V(1), false), (V(3), V(1), false) };
        var sequence = ParallelCopy.Sequentialize(moves, Temp);

        var regs = new Dictionary<Reg, int> { [V(1)] = 10, [V(2)] = 20, [V(3)] = 30 };
        foreach (var (dst, src, _) in sequence) regs[dst] = regs[src];
        Assert.Equal((20, 10, 10), (regs[V(1)], regs[V(2)], regs[V(3)]));
        Assert.Contains(sequence, m => m.Dst.Id >= Reg.FirstVirtual + 100); // the cycle needed a temporary
    }

    [Fact]
    public void A_value_live_across_a_call_gets_a_callee_saved_register()
    {
        var f = new MachineFunction("f");
        var block = new MBlock(0);
        f.Blocks.Add(block);
        var ctx = f.NewVirtual();
        var result = f.NewVirtual();
        block.Instructions.AddRange(new[]
        {
            new MInstr { Op = MOp.Mov, Dst = ctx, Src = Reg.Arg(0), IsCopy = true },
            new MInstr { Op = MOp.Call, Imm = 14, ArgCount = 0 },
            new MInstr { Op = MOp.Mov, Dst = result, Src = Reg.R0, IsCopy = true },
            new MInstr { Op = MOp.Load, Dst = Reg.R0, Src = ctx, Off = 8, Size = MemSize.DW },
            new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = Reg.R0, Src = result },
            new MInstr { Op = MOp.Exit },
        });
        var assignment = RegisterAllocator.Allocate(f);
        Assert.InRange(assignment[ctx].Id, 6, 9);         // survives the call
        Assert.InRange(assignment[result].Id, 0, 9);
        Assert.NotEqual(assignment[ctx], assignment[result]);
        Assert.Equal(0, f.Frame.Size);                     // no spill needed
    }

    [Fact]
    public void More_values_live_across_a_call_than_callee_saved_registers_spill_in_8_byte_slots()
    {
        var f = new MachineFunction("f");
        var block = new MBlock(0);
        f.Blocks.Add(block);
        var values = Enumerable.Range(0, 6).Select(_ => f.NewVirtual()).ToList();
        foreach (var (v, i) in values.Select((v, i) => (v, i)))
            block.Instructions.Add(new MInstr { Op = MOp.Mov, Dst = v, Imm = i * 1000 + 7 });
        block.Instructions.Add(new MInstr { Op = MOp.Call, Imm = 5, ArgCount = 0 });
        block.Instructions.Add(new MInstr { Op = MOp.Mov, Dst = Reg.R0, Imm = 0 });
        foreach (var v in values) block.Instructions.Add(new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = Reg.R0, Src = v });
        block.Instructions.Add(new MInstr { Op = MOp.Exit });

        var assignment = RegisterAllocator.Allocate(f);
        RegisterAllocator.Rewrite(f, assignment);
        // Constants are recomputed after the call rather than spilled.
        Assert.Equal(0, f.Frame.Size);
        Assert.DoesNotContain(block.Instructions, i => i.Op is MOp.Store or MOp.Load);
        Assert.All(block.Instructions.SkipWhile(i => i.Op != MOp.Call).Skip(1), i => Assert.True(i.Dst.IsPhysical || !i.Dst.IsValid));
    }

    [Fact]
    public void Values_that_cannot_be_recomputed_spill_to_8_byte_slots()
    {
        var f = new MachineFunction("f");
        var block = new MBlock(0);
        f.Blocks.Add(block);
        var ctx = f.NewVirtual();
        block.Instructions.Add(new MInstr { Op = MOp.Mov, Dst = ctx, Src = Reg.Arg(0), IsCopy = true });
        var values = Enumerable.Range(0, 6).Select(_ => f.NewVirtual()).ToList();
        foreach (var (v, i) in values.Select((v, i) => (v, i)))
            block.Instructions.Add(new MInstr { Op = MOp.Load, Dst = v, Src = ctx, Off = (short)(8 * i), Size = MemSize.DW });
        block.Instructions.Add(new MInstr { Op = MOp.Call, Imm = 5, ArgCount = 0 });
        block.Instructions.Add(new MInstr { Op = MOp.Mov, Dst = Reg.R0, Imm = 0 });
        foreach (var v in values) block.Instructions.Add(new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = Reg.R0, Src = v });
        block.Instructions.Add(new MInstr { Op = MOp.Exit });

        var assignment = RegisterAllocator.Allocate(f);
        RegisterAllocator.Rewrite(f, assignment);
        // Four values fit R6-R9; two go to the stack, in 8-byte slots (which keep pointer types too).
        Assert.Equal(16, f.Frame.Size);
        var spills = block.Instructions.Where(i => i.Op is MOp.Store or MOp.Load && (i.Dst == Reg.R10 || i.Src == Reg.R10)).ToList();
        Assert.Equal(4, spills.Count);
        Assert.All(spills, i => Assert.Equal(MemSize.DW, i.Size));
    }
}
