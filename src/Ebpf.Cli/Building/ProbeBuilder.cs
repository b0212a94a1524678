using System.Diagnostics;
using Ebpf.Cli.Server;
using Ebpf.Compiler.Pipeline;
using Ebpf.Rules;
using Ebpf.Rules.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Cli.Building;

/// <summary>Runs one <see cref="BuildRequest"/>: parses the files, compiles them against the request's references
/// (or the runtime's own), runs the eBPF pipeline and writes <c>&lt;Class&gt;.bpf.o</c> per <c>[BpfObject]</c> class.
/// The same code serves <c>ebpf build</c>, <c>ebpf build --request</c> and the build server; in the server the
/// <see cref="CompilationCache"/> keeps metadata and bound assemblies warm between requests.</summary>
public sealed class ProbeBuilder(CompilationCache cache)
{
    /// <summary>Compiles and writes; never throws for bad input (problems come back as diagnostics).</summary>
    /// <param name="reported">When given, receives every diagnostic as Roslyn reported it (for a SARIF log).</param>
    public BuildResponse Build(BuildRequest request, CompilerDump? dump = null, List<Diagnostic>? reported = null)
    {
        var clock = Stopwatch.StartNew();
        var response = new BuildResponse();
        var diagnostics = new List<Diagnostic>();

        if (!TryParseLanguageVersion(request.LanguageVersion, out var languageVersion))
            return Fail(response, Diagnostic.Create(DiagnosticDescriptors.UnknownLanguageVersion, Location.None, request.LanguageVersion));
        if (!TryParseNullable(request.Nullable, out var nullable))
            return Fail(response, Diagnostic.Create(DiagnosticDescriptors.UnknownNullableSetting, Location.None, request.Nullable));
        Diagnostic? badTarget = null;
        var targetKernel = HelperRules.ParseTarget(request.TargetKernel, Location.None, d => badTarget = d);
        if (badTarget is not null) return Fail(response, badTarget);

        var parseOptions = new CSharpParseOptions(languageVersion, preprocessorSymbols: request.Defines);
        var trees = new List<SyntaxTree>();
        foreach (var path in request.Sources)
        {
            try { trees.Add(cache.Parse(path, parseOptions)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SourceFileNotFound, Location.None, path, e.Message));
            }
        }
        if (request.ImplicitUsings) trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings.Source, parseOptions, ImplicitUsings.Path, System.Text.Encoding.UTF8));

        BpfCompileResult? result = null;
        if (diagnostics.Count == 0)
        {
            var compilation = cache.Compilation(request.References, nullable, trees, diagnostics);
            if (compilation is not null && diagnostics.Count == 0)
                result = BpfCompiler.Compile(compilation, new BpfCompilerOptions { Dump = dump, TargetKernel = targetKernel });
        }
        if (result is { Success: true } && request.Verify && (!request.VerifyWhereUsable || OperatingSystem.IsLinux()))
            diagnostics.AddRange(result.Objects.SelectMany(o => Commands.KernelVerification.Verify(o.Spec, request.VerifyWhereUsable)));
        var all = diagnostics.Concat(result?.Diagnostics ?? []).ToList();
        reported?.AddRange(all);
        foreach (var d in all) response.Diagnostics.Add(ToBuildDiagnostic(d));
        if (all.Any(d => d.Severity == DiagnosticSeverity.Error)) result = null;
        if (result is null || !result.Success)
        {
            response.ExitCode = EbpfCli.Failure;
            return Done(response, clock);
        }

        try { Directory.CreateDirectory(request.OutputDirectory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            response.Diagnostics.Add(ToBuildDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OutputNotWritable, Location.None, request.OutputDirectory, e.Message)));
            response.ExitCode = EbpfCli.Failure;
            return Done(response, clock);
        }
        foreach (var compiled in result.Objects)
        {
            var path = Path.Combine(request.OutputDirectory, compiled.FileName);
            try
            {
                File.WriteAllBytes(path, compiled.Elf);
                response.Objects.Add($"{compiled.ClassName} -> {path}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                response.Diagnostics.Add(ToBuildDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OutputNotWritable, Location.None, path, e.Message)));
                response.ExitCode = EbpfCli.Failure;
            }
        }
        return Done(response, clock);
    }

    static BuildResponse Fail(BuildResponse response, Diagnostic diagnostic)
    {
        response.Diagnostics.Add(ToBuildDiagnostic(diagnostic));
        response.ExitCode = EbpfCli.Failure;
        return response;
    }

    static BuildResponse Done(BuildResponse response, Stopwatch clock)
    {
        response.ElapsedMilliseconds = clock.Elapsed.TotalMilliseconds;
        return response;
    }

    /// <summary>Roslyn's diagnostic as plain data (1-based positions).</summary>
    public static BuildDiagnostic ToBuildDiagnostic(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        bool located = d.Location != Location.None && span.IsValid && !string.IsNullOrEmpty(span.Path);
        return new BuildDiagnostic
        {
            Id = d.Id,
            Severity = d.Severity switch
            {
                DiagnosticSeverity.Error => "error",
                DiagnosticSeverity.Warning => "warning",
                _ => "info",
            },
            Message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
            File = located ? span.Path : null,
            Line = located ? span.StartLinePosition.Line + 1 : 0,
            Column = located ? span.StartLinePosition.Character + 1 : 0,
            EndLine = located ? span.EndLinePosition.Line + 1 : 0,
            EndColumn = located ? span.EndLinePosition.Character + 1 : 0,
        };
    }

    static bool TryParseLanguageVersion(string? text, out LanguageVersion version)
    {
        version = LanguageVersion.Latest;
        return string.IsNullOrWhiteSpace(text) || LanguageVersionFacts.TryParse(text.Trim(), out version);
    }

    static bool TryParseNullable(string? text, out NullableContextOptions nullable)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "enable": nullable = NullableContextOptions.Enable; return true;
            case "disable": nullable = NullableContextOptions.Disable; return true;
            case "warnings": nullable = NullableContextOptions.Warnings; return true;
            case "annotations": nullable = NullableContextOptions.Annotations; return true;
            default: nullable = NullableContextOptions.Enable; return false;
        }
    }
}

/// <summary>The global usings Microsoft.NET.Sdk generates for <c>ImplicitUsings</c>, for files compiled outside a project.</summary>
static class ImplicitUsings
{
    public const string Path = "EbpfImplicitUsings.g.cs";

    public const string Source = """
        // <auto-generated/> the implicit usings of an SDK project (Microsoft.NET.Sdk)
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;
}
