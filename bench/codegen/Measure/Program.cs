using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ebpf.Runtime;
using ProgramType = Ebpf.Object.ProgramType;

namespace Measure;

/// <summary>Loads each benchmark's clang object and our object into the running kernel with the same loader
/// (Ebpf.Runtime), and writes the comparison table: instructions the kernel holds after load (xlated_len / 8),
/// instructions the verifier processed (its statistics log), BPF_PROG_TEST_RUN time for the program types
/// that take a packet (interleaved runs, medians), and the build times run.sh measured.</summary>
public static partial class Entry
{
    const int Rounds = 31;
    const int RepeatsPerRound = 20_000;

    public static int Main(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: Measure CLANG_DIR OURS_DIR BUILD_TIMES_TSV HEADER_MD RESULTS_MD");
            return 2;
        }
        var (clangDir, oursDir, timesPath, headerPath, resultsPath) = (args[0], args[1], args[2], args[3], args[4]);
        var builds = File.ReadAllLines(timesPath).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1..].Select(ParseMs).ToArray());

        var rows = new List<ProgramRow>();
        foreach (var name in builds.Keys.Order(StringComparer.Ordinal))
        {
            Console.Error.WriteLine($"measure: {name}");
            rows.AddRange(MeasureObject(name, Path.Combine(clangDir, name + ".o"), Path.Combine(oursDir, name + ".o")));
        }
        File.WriteAllText(resultsPath, File.ReadAllText(headerPath) + Report.Render(rows, builds));
        return 0;
    }

    static double ParseMs(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    static IEnumerable<ProgramRow> MeasureObject(string name, string clangObject, string oursObject)
    {
        var options = new CollectionOptions { Programs = new ProgramOptions { LogLevel = VerifierLogLevel.Statistics } };
        using var clang = Collection.LoadFile(clangObject, options);
        using var ours = Collection.LoadFile(oursObject, options);
        var rows = new List<ProgramRow>();
        foreach (var (programName, theirs) in clang.Programs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ours.Programs.TryGetValue(programName, out var mine))
                throw new InvalidOperationException($"{name}: our object has no program '{programName}' (it has {string.Join(", ", ours.Programs.Keys)})");
            var timing = TestRunnable(theirs.Type) ? TimeTestRuns(name, theirs, mine) : null;
            rows.Add(new ProgramRow(name, programName, theirs.Type,
                new Side(Instructions(theirs), Processed(theirs)), new Side(Instructions(mine), Processed(mine)), timing));
        }
        return rows;
    }

    static int Instructions(Program program) => (int)(program.GetInfo().XlatedLength / 8);

    static int Processed(Program program)
    {
        var match = ProcessedPattern().Match(program.VerifierLog ?? "");
        if (!match.Success) throw new InvalidOperationException($"{program}: no 'processed N insns' in the verifier log:\n{program.VerifierLog}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"processed (\d+) insns")]
    private static partial Regex ProcessedPattern();

    /// <summary>Program types whose test run takes a packet and repeats it in the kernel.</summary>
    static bool TestRunnable(ProgramType type) => type is ProgramType.Xdp or ProgramType.SchedCls or ProgramType.SocketFilter;

    /// <summary>The TCP SYN counter gets a SYN; every other program a UDP datagram to port 53.</summary>
    static byte[] Input(string name) => name.Contains("syn", StringComparison.Ordinal) ? Packets.TcpSyn() : Packets.Udp();

    static Timing TimeTestRuns(string name, Program clang, Program ours)
    {
        var input = Input(name);
        uint clangResult = clang.TestRun(input).ReturnValue, oursResult = ours.TestRun(input).ReturnValue;
        var clangNs = new List<double>();
        var oursNs = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            // Alternate which side runs first so drift in the machine's load hits both alike.
            if (round % 2 == 0) { clangNs.Add(Run(clang, input)); oursNs.Add(Run(ours, input)); }
            else { oursNs.Add(Run(ours, input)); clangNs.Add(Run(clang, input)); }
        }
        return new Timing(Median(clangNs), Median(oursNs), clangResult, oursResult);
    }

    static double Run(Program program, byte[] input) => program.TestRun(new TestRunOptions { Data = input, Repeat = RepeatsPerRound }).AverageNanoseconds;

    static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}

public sealed record Side(int Instructions, int Processed);

public sealed record Timing(double ClangNs, double OursNs, uint ClangResult, uint OursResult);

public sealed record ProgramRow(string Bench, string Program, ProgramType Type, Side Clang, Side Ours, Timing? Timing);
