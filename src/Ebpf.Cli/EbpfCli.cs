using System.CommandLine;
using System.CommandLine.Help;
using Ebpf.Cli.Commands;

namespace Ebpf.Cli;

/// <summary>The <c>ebpf</c> command: <c>build</c> compiles C# probes to <c>.bpf.o</c> objects, <c>dump</c>
/// prints an object (maps, globals, programs, disassembly with the C# lines). Thin over the libraries.</summary>
public static class EbpfCli
{
    /// <summary>Exit code when the input has errors (diagnostics, a malformed object).</summary>
    public const int Failure = 1;
    /// <summary>Exit code of an unexpected failure of the tool itself.</summary>
    public const int InternalFailure = 2;

    /// <summary>Runs the command line <paramref name="args"/>, writing results to <paramref name="output"/> and
    /// errors to <paramref name="error"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        // Named "ebpf" whatever the executable is called (dotnet Ebpf.Cli.dll, the tool's apphost): usage lines say ebpf.
        var root = new Command("ebpf", "eBPF in C#: compile probes to libbpf-compatible objects, inspect, load and run objects.")
        {
            new HelpOption(), new VersionOption(),
        };
        root.Subcommands.Add(BuildCommand.Create(output));
        root.Subcommands.Add(DumpCommand.Create(output, error));
        root.Subcommands.Add(GenCommand.Create(output, error));
        root.Subcommands.Add(LoadCommand.Create(output, error));
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(BuildServerCommand.Create(output));
        try
        {
            // The whole command on a large stack: deep input never overflows the process's stack.
            return Ebpf.Compiler.Pipeline.LargeStack.Run(() =>
                root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }));
        }
        catch (Exception e)
        {
            // Never a stack trace: one line naming what failed, in the compiler's diagnostic format.
            error.WriteLine($"ebpf: error {Ebpf.Rules.DiagnosticDescriptors.InternalError.Id}: internal error of the ebpf tool: {e.Message.ReplaceLineEndings(" ")}. Please report it with the input.");
            return InternalFailure;
        }
    }
}
