using Ebpf.Btf;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.Discovery;
using Ebpf.Compiler.Model;
using Ebpf.Compiler.Output;
using Ebpf.Compiler.Types;
using Ebpf.Object;
using Ebpf.Rules;
using Ebpf.Rules.Subset;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Compiler.Pipeline;

/// <summary>The eBPF compiler: C# source files in, one libbpf-compatible <c>.bpf.o</c> per <c>[BpfObject]</c> class out.</summary>
/// <remarks>
/// <see cref="Compile(CSharpCompilation, BpfCompilerOptions?)"/> lists every stage in order. Each stage
/// reports problems as located diagnostics and the pipeline stops after a stage that reported an
/// error, so later stages only see valid input; an exception inside codegen is caught per function and
/// reported as EBPF9001 at the method, never as a stack trace.
/// </remarks>
public static class BpfCompiler
{
    /// <summary>Compiles the C# files at <paramref name="paths"/> (diagnostics show the paths as given).</summary>
    public static BpfCompileResult CompileFiles(IEnumerable<string> paths, BpfCompilerOptions? options = null)
    {
        var sources = new List<(string, string)>();
        var diagnostics = new List<Diagnostic>();
        foreach (var path in paths)
        {
            try { sources.Add((File.ReadAllText(path), path)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SourceFileNotFound, Location.None, path, e.Message));
            }
        }
        if (diagnostics.Count > 0) return new BpfCompileResult(Array.Empty<CompiledObject>(), diagnostics);
        return CompileSources(sources, options);
    }

    /// <summary>Compiles in-memory sources, each given with the path its diagnostics and line info name.</summary>
    public static BpfCompileResult CompileSources(IEnumerable<(string Text, string Path)> sources, BpfCompilerOptions? options = null)
    {
        options ??= new BpfCompilerOptions();
        var diagnostics = new List<Diagnostic>();
        var compilation = CreateCompilation(sources, options, diagnostics);
        if (diagnostics.Count > 0) return new BpfCompileResult(Array.Empty<CompiledObject>(), diagnostics);
        return Compile(compilation, options);
    }

    /// <summary>Parses <paramref name="sources"/> into a compilation against the runtime's assemblies and the Ebpf API,
    /// unsafe code allowed (the same compilation the pipeline compiles; exposed for tools and tests).</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<(string Text, string Path)> sources, BpfCompilerOptions options, ICollection<Diagnostic> diagnostics)
    {
        var parseOptions = new CSharpParseOptions(options.LanguageVersion, preprocessorSymbols: options.PreprocessorSymbols);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parseOptions, s.Path, System.Text.Encoding.UTF8)).ToList();
        var references = ReferenceAssemblies.Resolve(options, diagnostics);
        var compilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable, checkOverflow: false, deterministic: true);
        return CSharpCompilation.Create("EbpfProbes", trees, references, compilationOptions);
    }

    /// <summary>The pipeline, stage by stage.</summary>
    public static BpfCompileResult Compile(CSharpCompilation compilation, BpfCompilerOptions? options = null)
    {
        options ??= new BpfCompilerOptions();
        var dump = options.Dump;
        var diagnostics = new List<Diagnostic>();
        BpfCompileResult Stop() => new(Array.Empty<CompiledObject>(), Sorted(diagnostics));

        // 1. C#: the probes must be valid C# first (binding errors make every later stage guess).
        diagnostics.AddRange(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        if (HasErrors(diagnostics)) return Stop();
        var symbols = EbpfSymbols.Create(compilation);
        if (symbols is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ApiAssemblyNotFound, Location.None, "the compilation does not reference the Ebpf API"));
            return Stop();
        }

        // 2. Discovery: [BpfObject] classes -> programs (sections), maps, globals (offsets, bytes).
        var layouts = new TypeLayouts();
        var objects = BpfObjectDiscovery.Discover(compilation, layouts, diagnostics);
        if (objects.Count == 0 && !HasErrors(diagnostics))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NoObjectClasses, Location.None));
        if (dump?.Wants(CompilerStages.Discovery) == true)
            foreach (var model in objects) dump.Write(CompilerStages.Discovery, model.Name, ModelPrinter.Print(model));
        if (HasErrors(diagnostics)) return Stop();

        // 3. Rules: the C# subset over every method reachable from a program; recursion on the call graph.
        var rules = new SubsetRules(symbols);
        var graphs = new Dictionary<BpfObjectModel, CallGraph>();
        foreach (var model in objects)
        {
            var graph = CallGraph.Build(model.Programs.Select(p => p.Method), symbols);
            graphs[model] = graph;
            foreach (var method in graph.Methods.Where(m => m.MethodKind != MethodKind.LocalFunction))
                rules.CheckMethod(method, graph.BodyOf(method), model.Class, diagnostics.Add);
            graph.ReportRecursion(diagnostics);
            if (dump?.Wants(CompilerStages.CallGraph) == true)
                dump.Write(CompilerStages.CallGraph, model.Name, ModelPrinter.Print(graph));
        }
        if (HasErrors(diagnostics)) return Stop();

        // 4. Codegen: each program, then each sub-program it calls (transitively), once each.
        IFunctionCompiler functionCompiler;
        try { functionCompiler = options.FunctionCompiler ?? CodeGenerator.Create(); }
        catch (InvalidOperationException e)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, "(all functions)", e.Message));
            return Stop();
        }
        var compiledObjects = new List<(BpfObjectModel Model, List<AssembledFunction> Functions)>();
        foreach (var model in objects)
        {
            var context = new CodegenContext(compilation, model, layouts) { Dump = dump };
            var functions = CompileFunctions(model, functionCompiler, context, diagnostics);
            if (functions is null) continue;
            if (dump?.Wants(CompilerStages.Codegen) == true)
                foreach (var f in functions) dump.Write(CompilerStages.Codegen, f.Function.Name, ModelPrinter.Print(f.Function));
            compiledObjects.Add((model, functions));
        }
        if (HasErrors(diagnostics)) return Stop();

        // 5. BTF and object assembly: FUNCs, map definitions, DATASECs; programs, maps, data sections.
        var specs = new List<(BpfObjectModel Model, ObjectSpec Spec)>();
        foreach (var (model, functions) in compiledObjects)
        {
            var spec = new ObjectAssembler(model, layouts).Assemble(functions);
            if (dump?.Wants(CompilerStages.Btf) == true) dump.Write(CompilerStages.Btf, model.Name, BtfDump.Format(spec.Btf!));
            if (dump?.Wants(CompilerStages.Object) == true) dump.Write(CompilerStages.Object, model.Name, ObjectPrinter.Print(spec));
            specs.Add((model, spec));
        }

        // 6. ELF: one relocatable EM_BPF object per class.
        var results = new List<CompiledObject>();
        foreach (var (model, spec) in specs)
        {
            try { results.Add(new CompiledObject(model.Name, spec, ElfObjectWriter.Write(spec))); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalObjectError, model.Class.Locations.FirstOrDefault() ?? Location.None, model.Name, OneLine(e)));
            }
        }

        if (dump != null && !dump.Matched)
            dump.Writer.WriteLine($"// --dump-after {dump.Stage}: no stage has this name; the pipeline's stages are {string.Join(", ", CompilerStages.All)} (codegen adds its own)");
        if (HasErrors(diagnostics)) return Stop();
        return new BpfCompileResult(results, Sorted(diagnostics));
    }

    /// <summary>Compiles the programs of <paramref name="model"/> and, breadth first, every sub-program they call,
    /// each once; null when any function failed.</summary>
    static List<AssembledFunction>? CompileFunctions(BpfObjectModel model, IFunctionCompiler compiler, CodegenContext context, List<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var result = new List<AssembledFunction>();
        var compiled = new Dictionary<IMethodSymbol, CompiledFunction>(SymbolEqualityComparer.Default);
        var entries = new List<CompiledFunction>();
        foreach (var program in model.Programs)
        {
            if (CompileOne(program.Method, isEntry: true, compiler, context, diagnostics) is not { } function) continue;
            entries.Add(function);
            result.Add(new AssembledFunction(function, program));
        }

        var queue = new Queue<IMethodSymbol>(entries.SelectMany(e => e.Callees));
        while (queue.Count > 0)
        {
            var callee = queue.Dequeue();
            if (compiled.ContainsKey(callee)) continue;
            if (CompileOne(callee, isEntry: false, compiler, context, diagnostics) is not { } function) continue;
            compiled[callee] = function;
            result.Add(new AssembledFunction(function, null));
            foreach (var next in function.Callees) queue.Enqueue(next);
        }

        foreach (var entry in entries) compiled.TryAdd(entry.Method, entry);
        CallChainLimits.Check(entries, compiled, diagnostics);
        foreach (var duplicate in result.GroupBy(f => f.Function.Name).Where(g => g.Count() > 1))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DuplicateSymbol, duplicate.Last().Function.Method.Locations.FirstOrDefault(), duplicate.Key, model.Name));
        foreach (var clash in result.Select(f => f.Function.Name).Intersect(model.Maps.Select(m => m.Name).Concat(model.Globals.Select(g => g.Name))))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DuplicateSymbol, model.Class.Locations.FirstOrDefault(), clash, model.Name));
        return diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) > before ? null : result;
    }

    static CompiledFunction? CompileOne(IMethodSymbol method, bool isEntry, IFunctionCompiler compiler, CodegenContext context, List<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        try
        {
            var function = compiler.Compile(method, isEntry, context, diagnostics);
            if (function is null && !diagnostics.Skip(before).Any(d => d.Severity == DiagnosticSeverity.Error))
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, Where(method), method.Name, "the code generator produced nothing and reported no error"));
            return function;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, Where(method), method.Name, OneLine(e)));
            return null;
        }
    }

    static Location Where(IMethodSymbol method) => method.Locations.FirstOrDefault() ?? Location.None;

    static string OneLine(Exception e) => $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";

    static bool HasErrors(List<Diagnostic> diagnostics) => diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>Distinct diagnostics ordered by file, position and ID (a helper reachable from two objects is checked twice).</summary>
    static IReadOnlyList<Diagnostic> Sorted(List<Diagnostic> diagnostics) => diagnostics
        .GroupBy(d => (d.Id, d.Location, d.GetMessage())).Select(g => g.First())
        .OrderBy(d => d.Location.SourceTree?.FilePath ?? "", StringComparer.Ordinal)
        .ThenBy(d => d.Location.SourceSpan.Start)
        .ThenBy(d => d.Id, StringComparer.Ordinal)
        .ToList();
}
