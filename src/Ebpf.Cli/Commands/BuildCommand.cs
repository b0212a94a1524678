using System.CommandLine;
using Ebpf.Compiler.Pipeline;
using Ebpf.Rules;
using Ebpf.Rules.Helpers;
using Microsoft.CodeAnalysis;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf build FILE.cs... -o DIR</c>: compiles the C# files and writes <c>&lt;Class&gt;.bpf.o</c> per
/// <c>[BpfObject]</c> class into DIR. Diagnostics print as <c>file(line,col): error EBPFnnnn: message</c>;
/// when any error is reported no object is written and the exit code is 1.</summary>
static class BuildCommand
{
    public static Command Create(TextWriter output)
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "C# source files (or directories of them) with [BpfObject] classes" };
        var outputDir = new Option<string>("--output", "-o") { Description = "Directory for the .bpf.o files", DefaultValueFactory = _ => "." };
        var dumpAfter = new Option<string?>("--dump-after") { Description = $"Print the intermediate form after a stage ({string.Join(", ", CompilerStages.All)}, or a codegen stage)" };
        var references = new Option<string[]>("--reference", "-r") { Description = "Extra assemblies the probes reference", DefaultValueFactory = _ => Array.Empty<string>() };
        var verify = new Option<bool>("--verify") { Description = "Load every program into the running kernel's verifier and report a rejection at its C# line (EBPF22xx)" };
        var sarif = new Option<string?>("--sarif") { Description = "Also write the diagnostics to this file as a SARIF 2.1.0 log" };
        var targetKernel = new Option<string?>("--target-kernel") { Description = "The oldest kernel the objects must load on (MAJOR.MINOR, e.g. 6.1): newer helpers, map, program and attach types and instructions are errors" };
        var command = new Command("build", "Compile C# probes to eBPF object files (<Class>.bpf.o)") { files, outputDir, dumpAfter, references, verify, sarif, targetKernel };
        command.SetAction(parse => Build(parse.GetValue(files)!, parse.GetValue(outputDir)!, parse.GetValue(dumpAfter), parse.GetValue(references)!,
            parse.GetValue(verify), parse.GetValue(sarif), parse.GetValue(targetKernel), output));
        return command;
    }

    static int Build(string[] inputs, string outputDir, string? dumpAfter, string[] references, bool verify, string? sarif, string? targetKernel, TextWriter output)
    {
        var reported = new List<Diagnostic>();
        int status = Build(inputs, outputDir, dumpAfter, references, verify, targetKernel, output, reported);
        if (sarif is not null) SarifLog.Write(sarif, reported);
        return status;
    }

    static int Build(string[] inputs, string outputDir, string? dumpAfter, string[] references, bool verify, string? targetKernel, TextWriter output, List<Diagnostic> reported)
    {
        bool targetValid = true;
        var target = HelperRules.ParseTarget(targetKernel, Location.None, d => { output.WriteLine(d.ToString()); targetValid = false; });
        if (!targetValid) return EbpfCli.Failure;
        var options = new BpfCompilerOptions
        {
            TargetKernel = target,
            References = references,
            Dump = dumpAfter is null ? null : new CompilerDump(dumpAfter, output),
        };
        var result = BpfCompiler.CompileFiles(ExpandInputs(inputs), options);
        foreach (var diagnostic in result.Diagnostics) output.WriteLine(diagnostic.ToString());
        reported.AddRange(result.Diagnostics);
        if (!result.Success) return EbpfCli.Failure;
        if (verify)
        {
            var verdicts = result.Objects.SelectMany(o => KernelVerification.Verify(o.Spec)).ToList();
            foreach (var verdict in verdicts) output.WriteLine(verdict.ToString());
            reported.AddRange(verdicts);
            if (verdicts.Any(v => v.Severity == DiagnosticSeverity.Error)) return EbpfCli.Failure;
        }

        try { Directory.CreateDirectory(outputDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var notWritable = Diagnostic.Create(DiagnosticDescriptors.OutputNotWritable, Location.None, outputDir, e.Message);
            output.WriteLine(notWritable.ToString());
            reported.Add(notWritable);
            return EbpfCli.Failure;
        }
        int failures = 0;
        foreach (var compiled in result.Objects)
        {
            var path = Path.Combine(outputDir, compiled.FileName);
            try
            {
                File.WriteAllBytes(path, compiled.Elf);
                output.WriteLine($"{compiled.ClassName} -> {path}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                output.WriteLine(Diagnostic.Create(DiagnosticDescriptors.OutputNotWritable, Location.None, path, e.Message).ToString());
                failures++;
            }
        }
        return failures == 0 ? 0 : EbpfCli.Failure;
    }

    /// <summary>Files as given; a directory stands for the .cs files under it (bin/ and obj/ excluded), in name order.</summary>
    static IEnumerable<string> ExpandInputs(string[] inputs)
    {
        foreach (var input in inputs)
        {
            if (!Directory.Exists(input)) { yield return input; continue; }
            var files = Directory.EnumerateFiles(input, "*.cs", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(input, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
                .Order(StringComparer.Ordinal);
            foreach (var file in files) yield return file;
        }
    }
}
