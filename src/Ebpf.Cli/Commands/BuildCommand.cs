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
        var targetKernel = new Option<string?>("--target-kernel") { Description = "The oldest kernel the objects must load on (MAJOR.MINOR, e.g. 6.1): newer helpers, map, program and attach types and instructions are errors" };
        var command = new Command("build", "Compile C# probes to eBPF object files (<Class>.bpf.o)") { files, outputDir, dumpAfter, references, targetKernel };
        command.SetAction(parse => Build(parse.GetValue(files)!, parse.GetValue(outputDir)!, parse.GetValue(dumpAfter), parse.GetValue(references)!, parse.GetValue(targetKernel), output));
        return command;
    }

    static int Build(string[] inputs, string outputDir, string? dumpAfter, string[] references, string? targetKernel, TextWriter output)
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
        if (!result.Success) return EbpfCli.Failure;

        try { Directory.CreateDirectory(outputDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            output.WriteLine(Diagnostic.Create(DiagnosticDescriptors.OutputNotWritable, Location.None, outputDir, e.Message).ToString());
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
