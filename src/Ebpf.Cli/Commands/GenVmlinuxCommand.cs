using System.CommandLine;
using Ebpf.Bindings;
using Ebpf.Btf;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf gen vmlinux [TYPE...] -o FILE.cs</c>: kernel types as C# from the running kernel's BTF (or <c>--btf FILE</c>).</summary>
static class GenVmlinuxCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var types = new Argument<string[]>("type") { Description = "Kernel types by name (struct, union, enum or typedef); none: every type", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<string?>("--output", "-o") { Description = "The C# file to write (default: standard output)" };
        var btf = new Option<string>("--btf") { Description = "The BTF to read", DefaultValueFactory = _ => "/sys/kernel/btf/vmlinux" };
        var ns = new Option<string>("--namespace") { Description = "Namespace of the generated types", DefaultValueFactory = _ => "Vmlinux" };
        var command = new Command("vmlinux", "Kernel types from BTF as C# structs with CO-RE attributes (bpftool's vmlinux.h)") { types, file, btf, ns };
        command.SetAction(parse => Run(parse.GetValue(types) ?? [], parse.GetValue(file), parse.GetValue(btf)!, parse.GetValue(ns)!, output, error));
        return command;
    }

    static int Run(string[] types, string? path, string btfPath, string ns, TextWriter output, TextWriter error)
    {
        BtfSpec spec;
        try { spec = BtfSpec.ParseFile(btfPath); }
        catch (BtfFormatException e)
        {
            error.WriteLine($"ebpf: error: {e.Message}");
            return EbpfCli.Failure;
        }
        string text;
        try
        {
            text = VmlinuxGenerator.Generate(spec, types, new BindingsOptions(ns, Header: $"ebpf gen vmlinux {string.Join(' ', types)} (from {btfPath})".Replace("  ", " ")));
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"ebpf: error: {btfPath}: {e.Message}");
            return EbpfCli.Failure;
        }
        return GenCommand.WriteResult(text, path, types.Length == 0 ? "all kernel types" : string.Join(", ", types), output, error);
    }
}
