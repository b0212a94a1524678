using Ebpf.Compiler.Frontend;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Codegen;

/// <summary>Compiles one C# method to verifier-accepted BPF instructions: the frontend (C# to IR) here, every later
/// stage in <see cref="FunctionBackend"/> (Ebpf.Compiler.Backend, which sees plain IR only). Stage by stage:</summary>
/// <remarks>
/// <code>
///  Roslyn CFG ──frontend──▶ IR (every variable a stack slot)
///     ──Inliner──▶ ──PromoteMemoryToRegisters──▶ SSA
///     ──[ConstantPropagation, InstructionCombining, CopyPropagation, CSE, LICM, DCE, DSE, SimplifyCfg]*──▶ optimized IR
///     ──IR checks──▶ ──CriticalEdgeSplitting──▶ ──InstructionSelector──▶ machine code on virtual registers
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
            var refused = Checks.IrChecks.Run(ir, new Checks.IrCheckContext(programType), _options.DisabledChecks);
            foreach (var finding in refused) diagnostics.Add(IrSourceLocations.ToDiagnostic(finding, context.Compilation));
            if (refused.Count > 0) return null;

            var generated = session.Backend.Generate(ir);
            var code = generated.Code;
            var compiled = new CompiledFunction(context.Functions.IdOf(method), ir.Name, code.Instructions, code.Relocations, code.LineInfos,
                generated.Callees, context.Types.Prototype(method), generated.StackSize, generated.Frame) { CoreRelocations = code.CoreRelocations };
            if (Pipeline.CallChainLimits.FrameTooLarge(compiled, method, context.Compilation) is { } tooLarge)
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
            var frame = new System.Diagnostics.StackTrace(e, fNeedFileInfo: false).GetFrame(0);
            var where = frame is null ? null : System.Diagnostics.DiagnosticMethodInfo.Create(frame);
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, location, method.Name,
                $"{e.GetType().Name}: {e.Message} (in {where?.DeclaringTypeName.Split('.')[^1]}.{where?.Name})"));
            return null;
        }
    }

    /// <summary>The state of one <see cref="Compile"/> call: callee IR built for inlining (once each, by id), and
    /// the methods being built up the call chain (recursion guard).</summary>
    sealed class Session
    {
        readonly FunctionCompiler _compiler;
        readonly CodegenContext _context;
        readonly ICollection<Diagnostic> _diagnostics;
        readonly Dictionary<IMethodSymbol, IrFunction?> _callees = new(SymbolEqualityComparer.Default);
        readonly HashSet<IMethodSymbol> _inProgress = new(SymbolEqualityComparer.Default);

        public Session(FunctionCompiler compiler, CodegenContext context, ICollection<Diagnostic> diagnostics)
        {
            _compiler = compiler;
            _context = context;
            _diagnostics = diagnostics;
            Backend = new FunctionBackend(compiler._options, Dump);
        }

        public FunctionBackend Backend { get; }

        /// <summary>Stages 1 to 4: from C# to optimized SSA.</summary>
        public IrFunction? BuildOptimizedIr(IMethodSymbol method, bool isEntryProgram)
        {
            _inProgress.Add(method.OriginalDefinition);
            try
            {
                // 1. Frontend: Roslyn's CFG to IR. Variables are stack slots, so this stage needs no SSA construction.
                var ir = MethodLowerer.Lower(method, isEntryProgram, _context, _diagnostics);
                if (ir is null) return null;
                Backend.Verify(ir, "frontend");
                Dump("frontend", ir.Name, () => IrPrinter.Print(ir, withSource: true));

                // 2-4. Inlining, promotion to SSA, cleanup to a fixed point.
                Backend.Optimize(ir, CalleeIr);
                return ir;
            }
            finally
            {
                _inProgress.Remove(method.OriginalDefinition);
            }
        }

        /// <summary>The optimized IR of a callee, for the inliner (null: keep the call).</summary>
        IrFunction? CalleeIr(string id)
        {
            var callee = _context.Functions.MethodOf(id);
            if (_callees.TryGetValue(callee, out var known)) return known;
            if (_inProgress.Contains(callee.OriginalDefinition))
            {
                _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Recursion, callee.Locations.FirstOrDefault() ?? Location.None,
                    callee.Name, "it is reached again from its own body"));
                return _callees[callee] = null;
            }
            return _callees[callee] = BuildOptimizedIr(callee, isEntryProgram: false);
        }

        /// <summary>Prints the form after <paramref name="stage"/> to the options' hook and to the pipeline's <c>--dump-after</c>.</summary>
        void Dump(string stage, string subject, Func<string> text)
        {
            if (_compiler._options.Wants(stage)) _compiler._options.Dump!(stage, subject, text());
            if (_context.Dump?.Wants(stage) == true) _context.Dump.Write(stage, subject, text());
        }
    }

    /// <summary>The final instructions, one per line with their slot index (as llvm-objdump prints them).</summary>
    public static string Listing(IReadOnlyList<Asm.Instruction> instructions) => FunctionBackend.Listing(instructions);
}
