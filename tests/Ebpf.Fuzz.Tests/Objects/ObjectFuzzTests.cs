using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using CsCheck;
using Ebpf.Cli;
using Ebpf.Object;
using Xunit.Abstractions;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Mutated objects (<see cref="ObjectMutant"/>) through the object reader and <c>ebpf dump</c>: each is read, or
/// refused with <see cref="ObjectFormatException"/> whose message is one line starting with the file name and naming the
/// problem — never another exception, never a .NET exception's name or default message; <c>ebpf dump</c> prints the
/// object (exit 0) or that one line (exit 1), never an internal error. <see cref="FuzzBudget.ObjectsVariable"/> sets a
/// longer run.</summary>
public class ObjectFuzzTests(ITestOutputHelper output)
{
    /// <summary>The reader's last resort for damage its checks did not foresee: it names the kind of damage but not where.
    /// Every mutant that reaches it is a missing check.</summary>
    const string CatchAll = "malformed eBPF object: ";

    [Fact]
    public void Mutated_objects_are_read_or_refused_with_one_line_and_dump_agrees()
    {
        int count = FuzzBudget.Objects;
        var outcomes = new ConcurrentDictionary<string, int>();
        var messages = new ConcurrentDictionary<string, int>();
        var problems = new ConcurrentDictionary<string, string>();
        using var files = new ThreadLocal<string>(() => Path.Combine(Directory.CreateTempSubdirectory("ebpf-fuzz-").FullName, "x.o"), trackAllValues: true);
        var clock = Stopwatch.StartNew();
        FuzzRun.Each(ObjectMutant.Any, count, mutant =>
        {
            var bytes = mutant.Bytes();
            try
            {
                var refusal = Read(bytes, mutant.ToString(), out var catchAll);
                if (catchAll is not null) problems.TryAdd("catch-all: " + catchAll, mutant.ToString());
                else if (refusal is not null) messages.AddOrUpdate(Regex.Replace(refusal, "[0-9]+", "N"), 1, (_, n) => n + 1);
                if (catchAll is null) Dump(bytes, files.Value!, refusal, mutant.ToString());
                outcomes.AddOrUpdate(refusal is null ? "read" : "refused", 1, (_, n) => n + 1);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                // Every kind of failure is listed at the end (one example mutant each), not only the first.
                problems.TryAdd(Regex.Replace(e.Message[(mutant.ToString().Length + 2)..], "[0-9]+", "N"), mutant.ToString());
                outcomes.AddOrUpdate("failed", 1, (_, n) => n + 1);
            }
        });
        output.WriteLine($"{count} mutants of {ObjectSeeds.All.Count} seeds in {clock.Elapsed.TotalSeconds:F1} s on {FuzzBudget.Threads} threads");
        foreach (var (outcome, n) in outcomes.OrderBy(o => o.Key)) output.WriteLine($"{outcome}: {n}");
        foreach (var (message, n) in messages.OrderByDescending(m => m.Value).Take(40)) output.WriteLine($"{n,6}  {message}");
        foreach (var file in files.Values) Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        Assert.True(problems.IsEmpty, $"{problems.Count} kinds of failure:\n" + string.Join("\n", problems.Select(c => $"{c.Key}\n    e.g. {c.Value}")));
        Assert.Equal(count, outcomes.Values.Sum());
        Assert.True(outcomes.GetValueOrDefault("read") > 0 && outcomes.GetValueOrDefault("refused") > 0, "the mutants reach both outcomes");
    }

    /// <summary>Reads <paramref name="bytes"/>; null if read, else the refusal's message (checked).</summary>
    internal static string? Read(byte[] bytes, string what) => Read(bytes, what, out _);

    /// <summary>As <see cref="Read(byte[], string)"/>; <paramref name="catchAll"/> names where the reader failed when
    /// its catch-all refused the object.</summary>
    internal static string? Read(byte[] bytes, string what, out string? catchAll)
    {
        catchAll = null;
        try
        {
            ElfObjectReader.Read(bytes, "x.o");
            return null;
        }
        catch (ObjectFormatException e)
        {
            if (!e.Message.StartsWith("x.o: ", StringComparison.Ordinal)) Fail(what, $"the message does not start with the file name: {e.Message}");
            if (MessageRules.Problem(e.Message) is { } problem) Fail(what, $"{problem}: {e.Message}");
            if (e.Message.Contains(CatchAll, StringComparison.Ordinal))
            {
                // Where the reader failed: the first frame of ours, without the line, groups the mutants by missing check.
                var frame = e.InnerException?.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains(" Ebpf.", StringComparison.Ordinal))?.Trim() ?? "";
                catchAll = $"{e.InnerException?.GetType().Name} {Regex.Replace(frame, " in /.*", "")}";
            }
            return e.Message;
        }
        catch (Exception e)
        {
            return Fail(what, $"the reader threw {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary><c>ebpf dump</c> in process on <paramref name="bytes"/> written to <paramref name="path"/>: exit 0 if the
    /// reader took it, else exit 1 with the reader's one line.</summary>
    internal static void Dump(byte[] bytes, string path, string? refusal, string what)
    {
        File.WriteAllBytes(path, bytes);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = EbpfCli.Run(["dump", path], stdout, stderr);
        string error = stderr.ToString();
        if (refusal is null)
        {
            if (exit != 0) Fail(what, $"the reader took it but ebpf dump exited {exit}: {error}");
            if (error.Length > 0) Fail(what, $"ebpf dump wrote errors on a readable object: {error}");
            return;
        }
        if (exit != EbpfCli.Failure) Fail(what, $"ebpf dump exited {exit}, not {EbpfCli.Failure}: {error}");
        var expected = $"ebpf: error: {path}{refusal[3..]}{Environment.NewLine}";
        if (error != expected) Fail(what, $"ebpf dump printed '{error.TrimEnd()}', not the reader's one line '{expected.TrimEnd()}'");
    }

    static string Fail(string what, string problem) => throw new Xunit.Sdk.XunitException($"{what}: {problem}");
}
