using Ebpf.Compiler.Backend;
using Ebpf.Compiler.Frontend;
using Ebpf.Compiler.IR;
using Ebpf.Compiler.Passes;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Codegen;

/// <summary>Compiles one C# method to verifier-accepted BPF instructions. The whole pipeline is in
/// <see cref="Compile"/> and <see cref="BuildOptimizedIr"/>, stage by stage:</summary>
/// <remarks>
/// <code>
///  Roslyn CFG ──frontend──▶ IR (every variable a stack slot)
///     ──Inliner──▶ ──PromoteMemoryToRegisters──▶ SSA
///     ──[ConstantPropagation, InstructionCombining, CopyPropagation, CSE, LICM, DCE, DSE, SimplifyCfg]*──▶ optimized IR
///     ──CriticalEdgeSplitting──▶ ──InstructionSelector──▶ machine code on virtual registers
///     ──RegisterAllocator──▶ R0-R9 ──Emitter──▶ Ebpf.Asm instructions, relocations, line info
/// </code>
/// Set <see cref="FunctionCompilerOptions.Dump"/> to see the function after any stage. Problems in
/// the input are reported as located diagnostics and give null; a broken internal invariant (an
/// IR verifier error after a pass) is reported as EBPF9001 naming the stage.
/// </remarks>
public sealed class FunctionCompiler : IFunctionCompiler
{
    readonly FunctionCompilerOptions _options;

    public FunctionCompiler() : this(FunctionCompilerOptions.Default) { }

    public FunctionCompiler(FunctionCompilerOptions options) => _options = options;

    public CompiledFunction? Compile(IMethodSymbol method, bool isEntryProgram, CodegenContext context, ICollection<Diagnostic> diagnostics)
    {
        var location = method.Locations.FirstOrDefault() ?? Location.None;
        try
        {
            var session = new Session(this, context, diagnostics);
            var ir = session.BuildOptimizedIr(method, isEntryProgram);
            if (ir is null) return null;

            // What the verifier would refuse and the source rules did not see (inlined code, moved checks).
            var programType = isEntryProgram
                ? context.Object.Programs.FirstOrDefault(p => SymbolEqualityComparer.Default.Equals(p.Method, method))?.Type
                : null;
            var refused = Checks.IrChecks.Run(ir, new Checks.IrCheckContext(context.Compilation, programType), _options.DisabledChecks);
            foreach (var d in refused) diagnostics.Add(d);
            if (refused.Count > 0) return null;

            // Out of SSA needs a place for each phi copy on each edge: split the critical ones.
            session.RunPass(new CriticalEdgeSplitting(), ir);

            // Instruction selection over virtual registers; phis become parallel copies.
            var machine = InstructionSelector.Select(ir, out var callees, _options.StoreImmediates, _options.Jump32);
            MachineDeadCodeElimination.Run(machine);
            session.Dump("isel", ir.Name, () => MachinePrinter.Print(machine));

            // Register allocation: an assignment of R0-R9 (with spill code when needed), then the rewrite.
            var assignment = RegisterAllocator.Allocate(machine);
            RegisterAllocator.Rewrite(machine, assignment);
            session.Dump("regalloc", ir.Name, () => MachinePrinter.Print(machine));

            // What fills the frame, for the stack diagnostics (here for the function, Pipeline.CallChainLimits for chains).
            var frame = StackFrameReport.Of(ir, machine);

            // Emission: layout, branch fall-throughs, labels resolved, relocations and line info.
            var code = Emitter.Emit(machine);
            session.Dump("emit", ir.Name, () => Listing(code));
            var compiled = new CompiledFunction(method, ir.Name, code.Instructions, code.Relocations, code.LineInfos, callees, machine.Frame.Size, frame)
                { CoreRelocations = code.CoreRelocations };
            if (Pipeline.CallChainLimits.FrameTooLarge(compiled, context.Compilation) is { } tooLarge)
            {
                diagnostics.Add(tooLarge);
                return null;
            }
            return compiled;
        }
        catch (InternalCompilerError e)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, location, method.Name, e.Message));
            return null;
        }
        catch (InsufficientExecutionStackException)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NestingTooDeep, location, $"'{method.Name}' exhausted the optimizer's stack"));
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug here, not in the input: reported with where it happened, never thrown at the caller.
            var frame = new System.Diagnostics.StackTrace(e, fNeedFileInfo: false).GetFrame(0)?.GetMethod();
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, location, method.Name,
                $"{e.GetType().Name}: {e.Message} (in {frame?.DeclaringType?.Name}.{frame?.Name})"));
            return null;
        }
    }

    /// <summary>The state of one <see cref="Compile"/> call: callee IR built for inlining (once each), and
    /// the methods being built up the call chain (recursion guard).</summary>
    sealed class Session(FunctionCompiler compiler, CodegenContext context, ICollection<Diagnostic> diagnostics)
    {
        readonly Dictionary<IMethodSymbol, IrFunction?> _callees = new(SymbolEqualityComparer.Default);
        readonly HashSet<IMethodSymbol> _inProgress = new(SymbolEqualityComparer.Default);

        /// <summary>Stages 1 to 4: from C# to optimized SSA.</summary>
        public IrFunction? BuildOptimizedIr(IMethodSymbol method, bool isEntryProgram)
        {
            _inProgress.Add(method.OriginalDefinition);
            try
            {
                // 1. Frontend: Roslyn's CFG to IR. Variables are stack slots, so this stage needs no SSA construction.
                var ir = MethodLowerer.Lower(method, isEntryProgram, context, diagnostics);
                if (ir is null) return null;
                compiler.Verify(ir, "frontend");
                Dump("frontend", ir.Name, () => IrPrinter.Print(ir, withSource: true));

                // 2. Inlining first, so every later pass sees whole programs: context pointers and constant
                //    arguments reach the callee's code, and its locals are promoted with the caller's.
                RunPass(new Inliner(CalleeIr, compiler._options.InlineThreshold), ir);

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
                for (int round = 0; round < compiler._options.MaxOptimizationRounds; round++)
                {
                    bool changed = false;
                    foreach (var pass in cleanup) changed |= RunPass(pass, ir);
                    if (!changed) break;
                }
                Dump("optimized", ir.Name, () => IrPrinter.Print(ir, withSource: true));
                return ir;
            }
            finally
            {
                _inProgress.Remove(method.OriginalDefinition);
            }
        }

        /// <summary>The optimized IR of a callee, for the inliner (null: keep the call).</summary>
        IrFunction? CalleeIr(IMethodSymbol callee)
        {
            if (_callees.TryGetValue(callee, out var known)) return known;
            if (_inProgress.Contains(callee.OriginalDefinition))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Recursion, callee.Locations.FirstOrDefault() ?? Location.None,
                    callee.Name, "it is reached again from its own body"));
                return _callees[callee] = null;
            }
            return _callees[callee] = BuildOptimizedIr(callee, isEntryProgram: false);
        }

        public bool RunPass(FunctionPass pass, IrFunction ir)
        {
            bool changed = pass.Run(ir);
            if (changed)
            {
                compiler.Verify(ir, pass.Name);
                Dump(pass.Name, ir.Name, () => IrPrinter.Print(ir, withSource: true));
            }
            return changed;
        }

        /// <summary>Prints the form after <paramref name="stage"/> to the options' hook and to the pipeline's <c>--dump-after</c>.</summary>
        public void Dump(string stage, string subject, Func<string> text)
        {
            if (compiler._options.Wants(stage)) compiler._options.Dump!(stage, subject, text());
            if (context.Dump?.Wants(stage) == true) context.Dump.Write(stage, subject, text());
        }
    }


    void Verify(IrFunction ir, string stage)
    {
        if (!_options.VerifyIr) return;
        var errors = IrVerifier.Verify(ir);
        if (errors.Count > 0)
            throw new InternalCompilerError($"the IR is invalid after {stage}: {string.Join("; ", errors.Take(5))}\n{IrPrinter.Print(ir)}");
    }


    /// <summary>The final instructions, one per line with their slot index (as llvm-objdump prints them).</summary>
    public static string Listing(EmittedCode code) => Listing(code.Instructions);

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

/// <summary>A broken invariant inside the code generator (not a problem of the input).</summary>
public sealed class InternalCompilerError(string message) : Exception(message);
