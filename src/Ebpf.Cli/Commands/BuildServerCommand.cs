using System.CommandLine;
using Ebpf.Cli.Server;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf build-server</c>: the warm compiler Ebpf.Sdk and <c>ebpf build --server</c> talk to over a Unix socket.
/// Started on first use; exits after a quiet period. <c>--stop</c> ends the server of this compiler.</summary>
static class BuildServerCommand
{
    public static Command Create(TextWriter output)
    {
        var socket = new Option<string?>("--socket") { Description = "Socket path (default: the one clients of this compiler use)", HelpName = "PATH" };
        var idle = new Option<int>("--idle-timeout") { Description = "Exit after this many seconds without a request", DefaultValueFactory = _ => 600, HelpName = "SECONDS" };
        var stop = new Option<bool>("--stop") { Description = "Stop the running server of this compiler and exit" };
        var command = new Command("build-server", "Run the build server (a warm compiler that Ebpf.Sdk and 'ebpf build --server' reuse)") { socket, idle, stop };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(socket) ?? BuildServerConnection.SocketPath(ThisCompiler.Path);
            if (parse.GetValue(stop))
            {
                bool stopped = BuildServerConnection.TrySend(path, new ServerMessage { Kind = "shutdown" }, TimeSpan.FromSeconds(5)) is not null;
                output.WriteLine(stopped ? $"ebpf: stopped the build server at {path}" : $"ebpf: no build server at {path}");
                return 0;
            }
            return BuildServer.Run(path, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(idle))));
        });
        return command;
    }
}
