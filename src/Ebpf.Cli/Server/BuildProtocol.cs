using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

// Shared as source with msbuild/Ebpf.Sdk.Tasks: the task is a client of the build server and must not load Roslyn.
namespace Ebpf.Cli.Server;

/// <summary>One probe compilation asked of the build server (or of <c>ebpf build --request</c>): the project's C# files,
/// references, defines and language settings, and where the objects go. Paths are absolute.</summary>
public sealed class BuildRequest
{
    /// <summary>C# files; every <c>[BpfObject]</c> class among them becomes <c>&lt;Class&gt;.bpf.o</c>.</summary>
    public List<string> Sources { get; set; } = new();
    /// <summary>Assemblies to compile against; empty = the runtime's own assemblies (what <c>ebpf build</c> uses).</summary>
    public List<string> References { get; set; } = new();
    public List<string> Defines { get; set; } = new();
    /// <summary>C# language version as MSBuild spells it (<c>latest</c>, <c>preview</c>, <c>13.0</c>); empty = latest.</summary>
    public string? LanguageVersion { get; set; }
    /// <summary>Nullable context as MSBuild spells it (<c>enable</c>, <c>disable</c>, <c>warnings</c>, <c>annotations</c>).</summary>
    public string? Nullable { get; set; }
    /// <summary>Add the implicit global usings of an SDK project (the project's own generated file is not among the sources).</summary>
    public bool ImplicitUsings { get; set; }
    public string OutputDirectory { get; set; } = ".";
    /// <summary>The oldest kernel the objects must load on (<c>EbpfTargetKernel</c>), or null.</summary>
    public string? TargetKernel { get; set; }
    /// <summary>Load every program of the built objects into the running kernel's verifier and report rejections at their C# lines.</summary>
    public bool Verify { get; set; }
    /// <summary>With <see cref="Verify"/>: only where this machine can load programs (Ebpf.Sdk's default,
    /// <c>EbpfVerify=auto</c>). A program the kernel could not check (no BPF privileges, a program type this kernel or
    /// its lockdown refuses, not Linux) is then an informational message rather than a warning; a verifier rejection
    /// is an error either way.</summary>
    public bool VerifyWhereUsable { get; set; }
}

/// <summary>A diagnostic with its location spelled out (1-based line and column), as MSBuild logs it.</summary>
public sealed class BuildDiagnostic
{
    public string Id { get; set; } = "";
    /// <summary><c>error</c>, <c>warning</c> or <c>info</c>.</summary>
    public string Severity { get; set; } = "error";
    public string Message { get; set; } = "";
    public string? File { get; set; }
    public int Line { get; set; }
    public int Column { get; set; }
    public int EndLine { get; set; }
    public int EndColumn { get; set; }

    /// <summary>The canonical form compilers print: <c>file(line,col): error ID: message</c>.</summary>
    public override string ToString() => File is null
        ? $"{Severity} {Id}: {Message}"
        : $"{File}({Line},{Column}): {Severity} {Id}: {Message}";
}

/// <summary>What a build did: diagnostics, the objects written, and the exit code <c>ebpf build</c> would return.</summary>
public sealed class BuildResponse
{
    public int ExitCode { get; set; }
    public List<BuildDiagnostic> Diagnostics { get; set; } = new();
    /// <summary>Written objects, as <c>Class -&gt; path</c>.</summary>
    public List<string> Objects { get; set; } = new();
    /// <summary>Milliseconds the server spent on the request (compile and write).</summary>
    public double ElapsedMilliseconds { get; set; }
}

/// <summary>A message on the build server's socket: one JSON line each way.</summary>
public sealed class ServerMessage
{
    /// <summary><c>build</c> (with <see cref="Build"/>), <c>ping</c> or <c>shutdown</c>.</summary>
    public string Kind { get; set; } = "build";
    public BuildRequest? Build { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServerMessage))]
[JsonSerializable(typeof(BuildResponse))]
[JsonSerializable(typeof(BuildRequest))]
public sealed partial class BuildProtocolJson : JsonSerializerContext;

/// <summary>Where a compiler's build server listens and how to reach it. One server per compiler build (its path and
/// timestamp name the socket) and per user; it exits after a quiet period.</summary>
public static class BuildServerConnection
{
    /// <summary>The socket of the server running the compiler at <paramref name="compilerPath"/> (its <c>ebpf.dll</c>).</summary>
    public static string SocketPath(string compilerPath)
    {
        var full = Path.GetFullPath(compilerPath);
        var stamp = File.Exists(full) ? File.GetLastWriteTimeUtc(full).Ticks : 0;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{full}|{stamp}")))[..16];
        return Path.Combine(SocketDirectory(), $"{hash}.sock");
    }

    /// <summary>A directory only this user can use: <c>$XDG_RUNTIME_DIR/ebpf</c>, else <c>/tmp/ebpf-build-USER</c>.</summary>
    public static string SocketDirectory()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var dir = !string.IsNullOrEmpty(runtime) && Directory.Exists(runtime)
            ? Path.Combine(runtime, "ebpf")
            : Path.Combine(Path.GetTempPath(), "ebpf-build-" + Environment.UserName);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    /// <summary>Sends <paramref name="message"/> to the server at <paramref name="socketPath"/>; null when no server answers.</summary>
    public static BuildResponse? TrySend(string socketPath, ServerMessage message, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { socket.Connect(new UnixDomainSocketEndPoint(socketPath)); }
        catch (SocketException) { return null; }
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var line = JsonSerializer.SerializeToUtf8Bytes(message, BuildProtocolJson.Default.ServerMessage);
        stream.Write(line);
        stream.WriteByte((byte)'\n');
        socket.Shutdown(SocketShutdown.Send);
        try
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var reply = reader.ReadLine();
            return reply is null ? null : JsonSerializer.Deserialize(reply, BuildProtocolJson.Default.BuildResponse);
        }
        catch (IOException) { return null; }
    }

    /// <summary>Sends a build to the server for <paramref name="compilerPath"/>, starting it (detached, with
    /// <paramref name="startCommand"/> and <paramref name="startArguments"/>) when none answers; null when it cannot be reached.</summary>
    public static BuildResponse? Build(string compilerPath, string startCommand, IEnumerable<string> startArguments, BuildRequest request, TimeSpan timeout)
    {
        var socket = SocketPath(compilerPath);
        var message = new ServerMessage { Kind = "build", Build = request };
        if (TrySend(socket, message, timeout) is { } answer) return answer;
        StartDetached(startCommand, startArguments.Append("--socket").Append(socket));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (File.Exists(socket) && TrySend(socket, message, timeout) is { } reply) return reply;
            Thread.Sleep(15);
        }
        return null;
    }

    /// <summary>Starts the server in its own session with no inherited standard streams, so builds whose output is piped
    /// do not wait for it.</summary>
    static void StartDetached(string command, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("setsid \"$0\" \"$@\" </dev/null >/dev/null 2>&1 &");
        start.ArgumentList.Add(command);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["DOTNET_TieredPGO"] = "0";
        using var shell = Process.Start(start);
        shell?.WaitForExit();
    }
}
