using System.CommandLine;
using Ebpf.Cli.Inspection;
using Ebpf.Object;
using Ebpf.Runtime;
using Spectre.Console;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf load FILE.bpf.o [--pin DIR]</c>: loads any libbpf-style object (ours or clang's) through the kernel
/// verifier and prints its programs (type, instructions, instructions the verifier processed) and maps. On a rejection,
/// the verifier's reason and the source line, exit 1. Without <c>--pin</c> everything is unloaded on exit.</summary>
static class LoadCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "An eBPF object file (.bpf.o)" };
        var pin = new Option<string?>("--pin") { Description = "Pin programs and maps under DIR (a bpffs directory) so they stay loaded", HelpName = "DIR" };
        var command = new Command("load", "Load an eBPF object through the verifier and print its programs and maps") { file, pin };
        command.SetAction(parse => Load(parse.GetValue(file)!, parse.GetValue(pin), output, error));
        return command;
    }

    static int Load(string path, string? pinDirectory, TextWriter output, TextWriter error)
    {
        if (ObjectLoader.Load(path, error) is not { } loaded) return EbpfCli.Failure;
        using var collection = loaded.Collection;
        var console = ConsoleFactory.Create(output);
        console.WriteLine($"{Path.GetFileName(path)}: loaded (license {loaded.Spec.License})");
        console.Write(ProgramTable(loaded.Spec, collection));
        console.Write(MapTable(collection));
        foreach (var warning in collection.Warnings) console.WriteLine($"warning: {warning}");
        if (pinDirectory is null) return 0;
        try
        {
            Directory.CreateDirectory(pinDirectory);
            foreach (var (name, program) in collection.Programs) program.Pin(Path.Combine(pinDirectory, name));
            foreach (var (name, map) in collection.Maps.Where(m => m.Value.PinnedPath is null)) map.Pin(Path.Combine(pinDirectory, name));
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"ebpf: error: pin under '{pinDirectory}': {e.Message.ReplaceLineEndings(" ")}");
            return EbpfCli.Failure;
        }
        console.WriteLine($"pinned {collection.Programs.Count} programs and {collection.Maps.Count} maps under {pinDirectory}");
        return 0;
    }

    /// <summary>One row per program: name, section, type, instructions in the object, after loading, and verifier-processed.</summary>
    public static Table ProgramTable(ObjectSpec spec, Collection collection)
    {
        var table = new Table().Title("programs").AddColumns("program", "section", "type", "instructions", "loaded", "verified");
        foreach (var column in table.Columns.Skip(3)) column.RightAligned();
        foreach (var (name, program) in collection.Programs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var stats = ProgramStats.Get(program.Fd);
            int instructions = spec.Programs.FirstOrDefault(p => p.Name == name)?.Instructions.Count ?? 0;
            table.AddRow(Markup.Escape(name), Markup.Escape(program.SectionName), program.Type.ToString(), instructions.ToString(),
                stats?.Xlated.ToString() ?? "?", stats?.Verified?.ToString() ?? "?");
        }
        return table;
    }

    public static Table MapTable(Collection collection)
    {
        var table = new Table().Title("maps").AddColumns("map", "type", "key", "value", "max entries", "flags");
        foreach (var column in table.Columns.Skip(2)) column.RightAligned();
        foreach (var (name, map) in collection.Maps.OrderBy(m => m.Key, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(name), MapKinds.KernelName(map.Type), map.KeySize.ToString(), map.ValueSize.ToString(), map.MaxEntries.ToString(), $"0x{map.Flags:x}");
        return table;
    }
}
