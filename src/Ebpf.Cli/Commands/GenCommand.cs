using System.CommandLine;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf gen</c>: C# generated from BTF and tracefs (<c>vmlinux</c>, <c>tracepoint</c>, <c>bindings</c>).</summary>
static class GenCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("gen", "Generate C#: kernel types from BTF, tracepoint records, typed bindings of an object");
        command.Subcommands.Add(GenVmlinuxCommand.Create(output, error));
        command.Subcommands.Add(GenTracepointCommand.Create(output, error));
        command.Subcommands.Add(GenBindingsCommand.Create(output, error));
        return command;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (standard output for null or '-'), saying where it went.</summary>
    public static int WriteResult(string text, string? path, string what, TextWriter output, TextWriter error)
    {
        if (path is null or "-")
        {
            output.Write(text);
            return 0;
        }
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            File.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"ebpf: error: cannot write '{path}': {e.Message}");
            return EbpfCli.Failure;
        }
        output.WriteLine($"{what} -> {path}");
        return 0;
    }
}
