using System.CommandLine;
using System.Text.Json;
using Ebpf.Cli.Building;
using Ebpf.Cli.Server;
using Ebpf.Compiler.Pipeline;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf build FILE.cs... -o DIR</c>: compiles the C# files and writes <c>&lt;Class&gt;.bpf.o</c> per
/// <c>[BpfObject]</c> class into DIR. Diagnostics print as <c>file(line,col): error EBPFnnnn: message</c>;
/// when any error is reported no object is written and the exit code is 1.</summary>
static class BuildCommand
{
    public static Command Create(TextWriter output)
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.ZeroOrMore, Description = "C# source files (or directories of them) with [BpfObject] classes" };
        var outputDir = new Option<string>("--output", "-o") { Description = "Directory for the .bpf.o files", DefaultValueFactory = _ => "." };
        var dumpAfter = new Option<string?>("--dump-after") { Description = $"Print the intermediate form after a stage ({string.Join(", ", CompilerStages.All)}, or a codegen stage)" };
        var references = new Option<string[]>("--reference", "-r") { Description = "Extra assemblies the probes reference", DefaultValueFactory = _ => Array.Empty<string>() };
        var server = new Option<bool>("--server") { Description = "Compile in the build server (started on first use, stays warm between builds)" };
        var request = new Option<string?>("--request") { Description = "Read a JSON build request (what Ebpf.Sdk sends) from FILE and print the JSON response", HelpName = "FILE" };
        var verify = new Option<bool>("--verify") { Description = "Load every program into the running kernel's verifier and report a rejection at its C# line (EBPF22xx)" };
        var sarif = new Option<string?>("--sarif") { Description = "Also write the diagnostics to this file as a SARIF 2.1.0 log", HelpName = "FILE" };
        var targetKernel = new Option<string?>("--target-kernel") { Description = "The oldest kernel the objects must load on (MAJOR.MINOR, e.g. 6.1): newer helpers, map, program and attach types and instructions are errors" };
        var command = new Command("build", "Compile C# probes to eBPF object files (<Class>.bpf.o)") { files, outputDir, dumpAfter, references, server, request, verify, sarif, targetKernel };
        command.Validators.Add(result =>
        {
            if (result.GetValue(request) is null && (result.GetValue(files) ?? []).Length == 0)
                result.AddError("ebpf build: no input files (usage: ebpf build FILE.cs... [-o DIR])");
        });
        command.SetAction(parse =>
        {
            if (parse.GetValue(request) is { } requestFile) return FromRequestFile(requestFile, output);
            var buildRequest = new BuildRequest
            {
                Sources = ExpandInputs(parse.GetValue(files)!).ToList(),
                References = ImplicitReferences(parse.GetValue(references)!),
                ImplicitUsings = true,
                OutputDirectory = parse.GetValue(outputDir)!,
                TargetKernel = parse.GetValue(targetKernel),
                Verify = parse.GetValue(verify),
            };
            var dump = parse.GetValue(dumpAfter) is { } stage ? new CompilerDump(stage, output) : null;
            var sarifPath = parse.GetValue(sarif);
            if (parse.GetValue(server) && dump is null && sarifPath is null) return ThroughServer(buildRequest, output);
            var reported = new List<Microsoft.CodeAnalysis.Diagnostic>();
            int status = Print(new ProbeBuilder(new CompilationCache()).Build(buildRequest, dump, reported), output);
            if (sarifPath is not null) SarifLog.Write(sarifPath, reported);
            return status;
        });
        return command;
    }

    static int Print(BuildResponse response, TextWriter output)
    {
        foreach (var diagnostic in response.Diagnostics) output.WriteLine(diagnostic.ToString());
        foreach (var written in response.Objects) output.WriteLine(written);
        return response.ExitCode;
    }

    static int FromRequestFile(string path, TextWriter output)
    {
        BuildRequest? request;
        try { request = JsonSerializer.Deserialize(File.ReadAllText(path), BuildProtocolJson.Default.BuildRequest); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            output.WriteLine($"ebpf: error: cannot read build request '{path}': {e.Message}");
            return EbpfCli.Failure;
        }
        var response = new ProbeBuilder(new CompilationCache()).Build(request ?? new BuildRequest());
        output.WriteLine(JsonSerializer.Serialize(response, BuildProtocolJson.Default.BuildResponse));
        return response.ExitCode;
    }

    static int ThroughServer(BuildRequest request, TextWriter output)
    {
        request.Sources = request.Sources.Select(Path.GetFullPath).ToList();
        request.OutputDirectory = Path.GetFullPath(request.OutputDirectory);
        var (command, arguments) = ThisCompiler.ServerStart;
        var response = BuildServerConnection.Build(ThisCompiler.Path, command, arguments, request, TimeSpan.FromMinutes(5));
        if (response is null)
        {
            output.WriteLine("ebpf: error: the build server did not answer; run without --server");
            return EbpfCli.Failure;
        }
        return Print(response, output);
    }

    /// <summary>With extra references, the default set (runtime, Ebpf API) plus those; none = the default set alone.</summary>
    static List<string> ImplicitReferences(string[] extra) =>
        extra.Length == 0 ? new List<string>() : DefaultReferences.Paths.Concat(extra.Select(Path.GetFullPath)).ToList();

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
