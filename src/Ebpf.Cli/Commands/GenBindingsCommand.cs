using System.CommandLine;
using Ebpf.Bindings;
using Ebpf.Object;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf gen bindings FILE.bpf.o [-o FILE.cs]</c>: typed C# from an object's BTF (ours or clang's).</summary>
static class GenBindingsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("object") { Description = "An eBPF object file (.bpf.o) with BTF" };
        var outputFile = new Option<string?>("--output", "-o") { Description = "The C# file to write (default: standard output)" };
        var className = new Option<string?>("--class") { Description = "Name of the class holding the map accessors and section layouts (default: from the file name)" };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of the generated code" };
        var command = new Command("bindings", "Typed C# for an object: its BTF types, global data layouts and map accessors (like bpf2go)") { file, outputFile, className, ns };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(outputFile), parse.GetValue(className), parse.GetValue(ns), output, error));
        return command;
    }

    static int Run(string path, string? outputPath, string? className, string? ns, TextWriter output, TextWriter error)
    {
        ObjectSpec spec;
        try { spec = ElfObjectReader.ReadFile(path); }
        catch (ObjectFormatException e)
        {
            error.WriteLine($"ebpf: error: {e.Message}");
            return EbpfCli.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"ebpf: error: cannot read '{path}': {e.Message}");
            return EbpfCli.Failure;
        }
        className ??= DefaultClassName(path);
        string text;
        try { text = ObjectBindingsGenerator.Generate(spec, className, ns, $"ebpf gen bindings {Path.GetFileName(path)}"); }
        catch (ArgumentException e)
        {
            error.WriteLine($"ebpf: error: {path}: {e.Message}");
            return EbpfCli.Failure;
        }
        return GenCommand.WriteResult(text, outputPath, className, output, error);
    }

    /// <summary><c>minimal.bpf.o</c> → <c>Minimal</c>.</summary>
    static string DefaultClassName(string path)
    {
        var name = Path.GetFileName(path);
        int dot = name.IndexOf('.');
        if (dot > 0) name = name[..dot];
        var id = CSharpIdentifiers.Plain(CSharpIdentifiers.Escape(name));
        return char.ToUpperInvariant(id[0]) + id[1..];
    }
}
