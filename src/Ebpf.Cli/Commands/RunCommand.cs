using System.CommandLine;
using System.Diagnostics;
using Ebpf.Cli.Building;
using Ebpf.Cli.Inspection;
using Ebpf.Cli.Server;
using Ebpf.Runtime;
using Spectre.Console;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf run FILE.cs|FILE.bpf.o [--duration SECONDS]</c>: compiles C# probes if given, loads the object,
/// attaches every program its section names a target for (libbpf's auto-attach), then shows the maps, globals and
/// ring-buffer events live until Ctrl-C or the duration.</summary>
static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "An eBPF object (.bpf.o), or C# probe sources to compile first" };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: until Ctrl-C)", HelpName = "SECONDS" };
        var interval = new Option<double>("--interval") { Description = "Seconds between updates", DefaultValueFactory = _ => 1.0, HelpName = "SECONDS" };
        var command = new Command("run", "Compile if needed, load, auto-attach and show maps and events live") { files, duration, interval };
        command.SetAction(parse => Run(parse.GetValue(files)!, parse.GetValue(duration), Math.Max(0.1, parse.GetValue(interval)), output, error));
        return command;
    }

    static int Run(string[] inputs, double? duration, double interval, TextWriter output, TextWriter error)
    {
        var clock = Stopwatch.StartNew();
        string objectPath;
        string? temporary = null;
        if (inputs is [var single] && !single.EndsWith(".cs", StringComparison.Ordinal) && !Directory.Exists(single))
            objectPath = single;
        else
        {
            temporary = Directory.CreateTempSubdirectory("ebpf-run-").FullName;
            var response = new ProbeBuilder(new CompilationCache()).Build(new BuildRequest
            {
                Sources = inputs.SelectMany(i => Directory.Exists(i) ? Directory.EnumerateFiles(i, "*.cs") : [i]).ToList(),
                ImplicitUsings = true,
                OutputDirectory = temporary,
            });
            foreach (var d in response.Diagnostics) error.WriteLine(d.ToString());
            var objects = Directory.GetFiles(temporary, "*.bpf.o");
            if (response.ExitCode != 0 || objects.Length == 0) { Directory.Delete(temporary, true); return EbpfCli.Failure; }
            if (objects.Length > 1) error.WriteLine($"ebpf: note: {objects.Length} objects compiled; running {Path.GetFileName(objects[0])}");
            objectPath = objects[0];
        }

        try
        {
            if (ObjectLoader.Load(objectPath, error) is not { } loaded) return EbpfCli.Failure;
            using var collection = loaded.Collection;
            var console = ConsoleFactory.Create(output);
            var links = new List<ILink>();
            try
            {
                foreach (var (name, program) in collection.Programs.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    try
                    {
                        links.Add(program.Attach());
                        console.WriteLine($"attached {name} ({program.SectionName})");
                    }
                    catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BpfException or LoadException)
                    {
                        console.WriteLine($"not attached {name}: {e.Message.ReplaceLineEndings(" ")}");
                    }
                }
                console.WriteLine($"loaded and attached in {clock.Elapsed.TotalSeconds:0.00} s; {(duration is null ? "Ctrl-C stops" : $"running {duration} s")}");
                using var view = new LiveView(loaded.Spec, collection);
                Show(view, console, ConsoleFactory.IsTerminal(output), duration, interval);
            }
            finally
            {
                foreach (var link in links) link.Dispose();
            }
            return 0;
        }
        finally
        {
            if (temporary is not null) Directory.Delete(temporary, true);
        }
    }

    /// <summary>The first update comes a quarter of a second after attaching (live data soon after start; frequent events
    /// have shown by then), the rest every interval.</summary>
    static TimeSpan Wait(Stopwatch started, double interval) =>
        TimeSpan.FromSeconds(started.Elapsed < TimeSpan.FromSeconds(FirstUpdateSeconds) ? Math.Min(interval, FirstUpdateSeconds) : interval);

    const double FirstUpdateSeconds = 0.25;

    static void Show(LiveView view, IAnsiConsole console, bool terminal, double? duration, double interval)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        if (duration is double seconds) stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        var started = Stopwatch.StartNew();
        try
        {
            if (terminal)
            {
                console.Live(view.Render(started.Elapsed)).Start(live =>
                {
                    while (!stop.Token.WaitHandle.WaitOne(Wait(started, interval)))
                    {
                        view.DrainRingBuffers();
                        live.UpdateTarget(view.Render(started.Elapsed));
                    }
                });
            }
            else
            {
                while (!stop.Token.WaitHandle.WaitOne(Wait(started, interval)))
                {
                    view.DrainRingBuffers();
                    console.Write(view.Render(started.Elapsed));
                }
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
