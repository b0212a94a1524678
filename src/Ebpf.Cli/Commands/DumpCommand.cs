using System.CommandLine;
using Ebpf.Compiler.Output;
using Ebpf.Object;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf dump FILE.bpf.o</c>: prints the license, maps, data sections with their variables,
/// programs, and an llvm-objdump-style disassembly with relocations and the source lines recorded in
/// line_info. Any eBPF object works (ours or clang's); a file that is not one gives one error line.</summary>
static class DumpCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "An eBPF object file (.bpf.o)" };
        var noBytes = new Option<bool>("--no-bytes") { Description = "Leave the instruction bytes out of the disassembly" };
        var noSource = new Option<bool>("--no-source") { Description = "Leave the source lines out of the disassembly" };
        var command = new Command("dump", "Print an eBPF object: maps, globals, programs, disassembly with source lines") { file, noBytes, noSource };
        command.SetAction(parse => Dump(parse.GetValue(file)!, !parse.GetValue(noBytes), !parse.GetValue(noSource), output, error));
        return command;
    }

    static int Dump(string path, bool bytes, bool source, TextWriter output, TextWriter error)
    {
        ObjectSpec spec;
        try
        {
            spec = ElfObjectReader.ReadFile(path);
        }
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
        output.WriteLine($"{Path.GetFileName(path)}:");
        output.Write(ObjectPrinter.Print(spec, new ObjectPrinter.Options(HexBytes: bytes, SourceLines: source)));
        return 0;
    }
}
