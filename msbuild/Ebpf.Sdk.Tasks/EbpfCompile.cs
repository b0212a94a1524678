using System.Diagnostics;
using System.Text.Json;
using Ebpf.Cli.Server;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Ebpf.Sdk.Tasks;

/// <summary>Compiles the project's <c>[BpfObject]</c> classes to <c>&lt;Class&gt;.bpf.o</c> in <see cref="OutputDirectory"/>.
/// The compiler runs in the eBPF build server (started on first use, warm afterwards) or, with
/// <see cref="UseBuildServer"/> false, in a child process; its diagnostics are logged with file, line, column and code,
/// so MSBuild prints them in the canonical <c>File.cs(line,col): error EBPFnnnn: message</c> form and nothing else.</summary>
public sealed class EbpfCompile : Microsoft.Build.Utilities.Task
{
    /// <summary>The project's C# files (<c>@(Compile)</c>).</summary>
    [Required] public ITaskItem[] Sources { get; set; } = [];
    /// <summary>The project's resolved references (<c>@(ReferencePathWithRefAssemblies)</c>).</summary>
    public ITaskItem[] References { get; set; } = [];
    public string? DefineConstants { get; set; }
    public string? LangVersion { get; set; }
    public string? Nullable { get; set; }
    public string? TargetKernel { get; set; }
    [Required] public string OutputDirectory { get; set; } = "";
    /// <summary>The compiler (<c>Ebpf.Cli.dll</c>) shipped in the SDK package.</summary>
    [Required] public string CompilerPath { get; set; } = "";
    /// <summary>The <c>dotnet</c> host that runs the compiler.</summary>
    public string? DotnetHost { get; set; }
    public bool UseBuildServer { get; set; } = true;
    /// <summary><c>auto</c> (load every program into the running kernel's verifier where this machine can load
    /// programs), <c>true</c> (always; a program the kernel could not check is a warning) or <c>false</c>.</summary>
    public string? Verify { get; set; }
    /// <summary>Where the diagnostics are explained (<c>$(EbpfDiagnosticsHelp)</c>): a URL or the path of the SDK's
    /// docs/diagnostics.html; each logged EBPF diagnostic links to its entry there.</summary>
    public string? DiagnosticsHelp { get; set; }

    /// <summary>The objects written, <c>&lt;Class&gt;.bpf.o</c>.</summary>
    [Output] public ITaskItem[] Objects { get; set; } = [];

    public override bool Execute()
    {
        var request = new BuildRequest
        {
            Sources = Sources.Select(s => Path.GetFullPath(s.ItemSpec)).ToList(),
            References = References.Select(r => Path.GetFullPath(r.ItemSpec)).ToList(),
            Defines = (DefineConstants ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            LanguageVersion = LangVersion,
            Nullable = Nullable,
            ImplicitUsings = false,  // the project's own GlobalUsings.g.cs is among the sources
            OutputDirectory = Path.GetFullPath(OutputDirectory),
            TargetKernel = string.IsNullOrWhiteSpace(TargetKernel) ? null : TargetKernel,
        };
        switch ((Verify ?? "").Trim().ToLowerInvariant())
        {
            case "" or "false": break;
            case "auto": request.Verify = true; request.VerifyWhereUsable = true; break;
            case "true": request.Verify = true; break;
            default:
                Log.LogError(null, "EBPF4105", null, null, 0, 0, 0, 0, $"EbpfVerify must be auto, true or false, not '{Verify}'");
                return false;
        }
        var dotnet = string.IsNullOrEmpty(DotnetHost) ? "dotnet" : DotnetHost!;
        var clock = Stopwatch.StartNew();
        BuildResponse? response = null;
        string how = "build server";
        if (UseBuildServer)
            response = BuildServerConnection.Build(CompilerPath, dotnet, [CompilerPath, "build-server"], request, TimeSpan.FromMinutes(5));
        if (response is null)
        {
            how = "compiler process";
            response = RunCompilerProcess(dotnet, request, out var failure);
            if (response is null)
            {
                Log.LogError(null, "EBPF4104", null, null, 0, 0, 0, 0, $"The eBPF compiler could not be run: {failure}");
                return false;
            }
        }

        foreach (var d in response.Diagnostics) LogDiagnostic(d);
        var written = new List<ITaskItem>();
        foreach (var line in response.Objects)
        {
            int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            if (arrow < 0) continue;
            var path = line[(arrow + 4)..];
            written.Add(new TaskItem(path));
            Log.LogMessage(MessageImportance.High, $"  {Path.GetFileName(path)} -> {path}");
        }
        Objects = written.ToArray();
        Log.LogMessage(MessageImportance.Normal, $"eBPF: {written.Count} object(s) in {clock.Elapsed.TotalMilliseconds:0} ms ({how}; compile {response.ElapsedMilliseconds:0} ms)");
        return response.ExitCode == 0 && !Log.HasLoggedErrors;
    }

    /// <summary>Logs at the start position only, so MSBuild prints the compilers' <c>File.cs(line,col)</c> form.</summary>
    void LogDiagnostic(BuildDiagnostic d)
    {
        switch (d.Severity)
        {
            case "error":
                Log.LogError(null, d.Id, null, HelpLink(d.Id), d.File, d.Line, d.Column, 0, 0, d.Message);
                break;
            case "warning":
                Log.LogWarning(null, d.Id, null, HelpLink(d.Id), d.File, d.Line, d.Column, 0, 0, d.Message);
                break;
            default:
                Log.LogMessage(null, d.Id, null, d.File, d.Line, d.Column, 0, 0, MessageImportance.Low, d.Message);
                break;
        }
    }

    string? HelpLink(string id) => id.StartsWith("EBPF", StringComparison.Ordinal)
        ? Ebpf.Rules.HelpLinkFormat.Link(Ebpf.Rules.HelpLinkFormat.AbsoluteDocumentUri(DiagnosticsHelp) ?? Ebpf.Rules.HelpLinkFormat.RepositoryBase, id)
        : null;

    /// <summary>Without the server: <c>dotnet Ebpf.Cli.dll build --request FILE</c>, whose last output line is the JSON response.</summary>
    BuildResponse? RunCompilerProcess(string dotnet, BuildRequest request, out string failure)
    {
        var requestFile = Path.Combine(Path.GetTempPath(), $"ebpf-request-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(requestFile, JsonSerializer.Serialize(request, BuildProtocolJson.Default.BuildRequest));
            var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { CompilerPath, "build", "--request", requestFile }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (last is not null && last.StartsWith('{'))
            {
                failure = "";
                return JsonSerializer.Deserialize(last, BuildProtocolJson.Default.BuildResponse);
            }
            failure = $"'{dotnet} {CompilerPath}' exited with code {process.ExitCode}: {(stdout + stderr.Result).Trim().ReplaceLineEndings(" ")}";
            return null;
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or JsonException or UnauthorizedAccessException)
        {
            failure = e.Message;
            return null;
        }
        finally
        {
            try { File.Delete(requestFile); } catch (IOException) { }
        }
    }
}
