using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ebpf.Cli.Building;

namespace Ebpf.Cli.Server;

/// <summary>The build server: accepts one JSON <see cref="ServerMessage"/> per connection on a Unix socket, answers with a
/// <see cref="BuildResponse"/>, and keeps one <see cref="CompilationCache"/> (JIT-compiled code, reference metadata, bound
/// assemblies) warm across requests. A lock file beside the socket keeps it to one server per socket.</summary>
static class BuildServer
{
    public static int Run(string socketPath, TimeSpan idleTimeout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        FileStream lockFile;
        try { lockFile = new FileStream(socketPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return 0; }  // another server owns this socket
        using (lockFile)
        {
            if (File.Exists(socketPath)) File.Delete(socketPath);  // left by a server that died
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(16);
            var builder = new ProbeBuilder(new CompilationCache());
            using var stop = new CancellationTokenSource();
            var lastRequest = DateTime.UtcNow;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    if (!listener.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectRead))
                    {
                        if (DateTime.UtcNow - lastRequest > idleTimeout) break;
                        continue;
                    }
                    // Builds run one at a time: each already uses the compiler's parallelism, and the cache is shared.
                    Serve(listener.Accept(), builder, stop);
                    lastRequest = DateTime.UtcNow;
                }
            }
            finally
            {
                try { File.Delete(socketPath); } catch (IOException) { }
            }
        }
        return 0;
    }

    static void Serve(Socket client, ProbeBuilder builder, CancellationTokenSource stop)
    {
        using (client)
        using (var stream = new NetworkStream(client, ownsSocket: false))
        {
            BuildResponse response;
            try
            {
                using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
                var line = reader.ReadLine();
                var message = line is null ? null : JsonSerializer.Deserialize(line, BuildProtocolJson.Default.ServerMessage);
                response = message switch
                {
                    { Kind: "build", Build: { } request } => builder.Build(request),
                    { Kind: "ping" } => new BuildResponse(),
                    { Kind: "shutdown" } => Shutdown(stop),
                    _ => Error("unknown request"),
                };
            }
            catch (JsonException e) { response = Error($"malformed request: {e.Message}"); }
            catch (IOException) { return; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                response = Error($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
            try
            {
                stream.Write(JsonSerializer.SerializeToUtf8Bytes(response, BuildProtocolJson.Default.BuildResponse));
                stream.WriteByte((byte)'\n');
            }
            catch (IOException) { }
        }
    }

    static BuildResponse Shutdown(CancellationTokenSource stop)
    {
        stop.Cancel();
        return new BuildResponse();
    }

    static BuildResponse Error(string message) => new()
    {
        ExitCode = EbpfCli.InternalFailure,
        Diagnostics = { new BuildDiagnostic { Id = "EBPF4104", Severity = "error", Message = $"The eBPF compiler could not be run: {message}" } },
    };
}
