using System.CommandLine;
using Ebpf.Bindings;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf gen tracepoint CAT/NAME... -o FILE.cs</c>: record structs from tracefs format files.</summary>
static class GenTracepointCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var events = new Argument<string[]>("event") { Description = "Tracepoints as CATEGORY/NAME (sched/sched_process_exec)", Arity = ArgumentArity.OneOrMore };
        var file = new Option<string?>("--output", "-o") { Description = "The C# file to write (default: standard output)" };
        var tracefs = new Option<string>("--tracefs") { Description = "Where tracefs is mounted", DefaultValueFactory = _ => "/sys/kernel/tracing" };
        var ns = new Option<string>("--namespace") { Description = "Namespace of the generated structs", DefaultValueFactory = _ => "Tracepoints" };
        var command = new Command("tracepoint", "Tracepoint record structs from /sys/kernel/tracing/events/CAT/NAME/format") { events, file, tracefs, ns };
        command.SetAction(parse => Run(parse.GetValue(events)!, parse.GetValue(file), parse.GetValue(tracefs)!, parse.GetValue(ns)!, output, error));
        return command;
    }

    static int Run(string[] events, string? path, string tracefs, string ns, TextWriter output, TextWriter error)
    {
        var formats = new List<TracepointFormat>();
        foreach (var e in events)
        {
            var parts = e.Split('/');
            if (parts.Length != 2 || parts.Any(string.IsNullOrWhiteSpace))
            {
                error.WriteLine($"ebpf: error: '{e}' is not CATEGORY/NAME (for example sched/sched_process_exec)");
                return EbpfCli.Failure;
            }
            try { formats.Add(TracepointFormat.Load(parts[0], parts[1], tracefs)); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"ebpf: error: tracepoint {e}: cannot read {Path.Combine(tracefs, "events", parts[0], parts[1], "format")} ({ex.Message}); is tracefs mounted and the name right?");
                return EbpfCli.Failure;
            }
            catch (FormatException ex)
            {
                error.WriteLine($"ebpf: error: {ex.Message}");
                return EbpfCli.Failure;
            }
        }
        var text = TracepointGenerator.Generate(formats, ns, $"ebpf gen tracepoint {string.Join(' ', events)}");
        return GenCommand.WriteResult(text, path, string.Join(", ", events), output, error);
    }
}
