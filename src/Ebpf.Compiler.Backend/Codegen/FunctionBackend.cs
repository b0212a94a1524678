using Ebpf.Compiler.Backend;
using Ebpf.Compiler.IR;
using Ebpf.Compiler.Passes;

namespace Ebpf.Compiler.Codegen;

/// <summary>The stages after the frontend for one function, on plain IR: optimization (<see cref="Optimize"/>) and code
/// generation (<see cref="Generate"/>). The frontend (<c>FunctionCompiler</c> in Ebpf.Compiler) lowers C# to the IR,
/// supplies the IR of callees by id, and runs the IR checks in between.</summary>
/// <param name="dump">Receives (stage, function, text) after each stage; the text is made only when asked for.</param>
public sealed class FunctionBackend(FunctionCompilerOptions options, Action<string, string, Func<string>> dump)
{
    /// <summary>Stages 2 to 4: from the frontend's IR (every variable a stack slot) to optimized SSA.</summary>
    /// <param name="callees">The optimized IR of a callee by id, for the inliner (null: keep the call).</param>
    public void Optimize(IrFunction ir, Func<string, IrFunction?> callees)
    {
        // 2. Inlining first, so every later pass sees whole programs: context pointers and constant
        //    arguments reach the callee's code, and its locals are promoted with the caller's.
        RunPass(new Inliner(callees, options.InlineThreshold), ir);

        // 3. Promotion to SSA: struct and scalar locals become registers (and phis); what stays in
        //    memory is what must (addresses passed to helpers, atomics).
        RunPass(new PromoteMemoryToRegisters(), ir);

        // 4. Cleanup to a fixed point. Folding exposes constant branches (SimplifyCfg), CFG
        //    merges expose more folding and CSE, loop-invariant code leaves loops once CSE has
        //    merged its copies, DCE removes what they leave, dead stores go once the values are
        //    in registers, and dropping dead uses can make one more slot promotable.
        FunctionPass[] cleanup =
        {
            new ConstantPropagation(), new InstructionCombining(), new CopyPropagation(),
            new CommonSubexpressionElimination(), new LoopInvariantCodeMotion(), new DeadCodeElimination(),
            new DeadStoreElimination(), new SimplifyCfg(), new PromoteMemoryToRegisters(), new StackStoreHoisting(),
        };
        for (int round = 0; round < options.MaxOptimizationRounds; round++)
        {
            bool changed = false;
            foreach (var pass in cleanup) changed |= RunPass(pass, ir);
            if (!changed) break;
        }
        dump("optimized", ir.Name, () => IrPrinter.Print(ir, withSource: true));
    }

    /// <summary>Stages 5 to 8: optimized (and checked) IR to BPF instructions.</summary>
    public GeneratedCode Generate(IrFunction ir)
    {
        // Out of SSA needs a place for each phi copy on each edge: split the critical ones.
        RunPass(new CriticalEdgeSplitting(), ir);

        // Instruction selection over virtual registers; phis become parallel copies.
        var machine = InstructionSelector.Select(ir, out var callees, options.StoreImmediates, options.Jump32);
        MachineDeadCodeElimination.Run(machine);
        dump("isel", ir.Name, () => MachinePrinter.Print(machine));

        // Register allocation: an assignment of R0-R9 (with spill code when needed), then the rewrite.
        var assignment = RegisterAllocator.Allocate(machine);
        RegisterAllocator.Rewrite(machine, assignment);
        dump("regalloc", ir.Name, () => MachinePrinter.Print(machine));

        // What fills the frame, for the stack diagnostics (here for the function, Pipeline.CallChainLimits for chains).
        var frame = StackFrameReport.Of(ir, machine);

        // Emission: layout, branch fall-throughs, labels resolved, relocations and line info.
        var code = Emitter.Emit(machine);
        dump("emit", ir.Name, () => Listing(code.Instructions));
        return new GeneratedCode(code, callees, machine.Frame.Size, frame);
    }

    /// <summary>Runs <paramref name="pass"/>; when it changed something, verifies and dumps the IR under the pass's name.</summary>
    public bool RunPass(FunctionPass pass, IrFunction ir)
    {
        bool changed = pass.Run(ir);
        if (changed)
        {
            Verify(ir, pass.Name);
            dump(pass.Name, ir.Name, () => IrPrinter.Print(ir, withSource: true));
        }
        return changed;
    }

    /// <summary>Checks the IR's invariants (when <see cref="FunctionCompilerOptions.VerifyIr"/>); a broken one is an
    /// <see cref="InternalCompilerError"/> naming the stage.</summary>
    public void Verify(IrFunction ir, string stage)
    {
        if (!options.VerifyIr) return;
        var errors = IrVerifier.Verify(ir);
        if (errors.Count > 0)
            throw new InternalCompilerError($"the IR is invalid after {stage}: {string.Join("; ", errors.Take(5))}\n{IrPrinter.Print(ir)}");
    }

    /// <summary>The final instructions, one per line with their slot index (as llvm-objdump prints them).</summary>
    public static string Listing(IReadOnlyList<Asm.Instruction> instructions)
    {
        var sb = new System.Text.StringBuilder();
        int slot = 0;
        foreach (var insn in instructions)
        {
            sb.Append(slot.ToString().PadLeft(4)).Append(": ").Append(Asm.InstructionFormatter.Format(insn)).Append('\n');
            slot += insn.Slots;
        }
        return sb.ToString();
    }
}

/// <summary>What code generation made of one function: its code, the ids of the functions it calls (BPF-to-BPF), its
/// frame's size after register allocation and slot sharing, and what fills the frame.</summary>
public sealed record GeneratedCode(EmittedCode Code, IReadOnlyList<string> Callees, int StackSize, StackFrameReport Frame);

/// <summary>A broken invariant inside the code generator (not a problem of the input).</summary>
public sealed class InternalCompilerError(string message) : Exception(message);
