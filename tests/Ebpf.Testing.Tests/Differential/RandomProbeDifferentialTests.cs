using System.Diagnostics;
using CsCheck;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>Issue 9.4: random valid probes (<see cref="ProbeGenerator"/>), each run as .NET code, on the interpreter and
/// in the kernel (BPF_PROG_TEST_RUN); return values, the global and the map contents must agree. CI runs 2,000
/// programs; <c>EBPF_RANDOM_PROGRAMS=100000</c> runs more. A failure is shrunk by CsCheck to a small program; put the
/// shrunk expression in <see cref="Kept"/> so it runs every time.</summary>
public class RandomProbeDifferentialTests(ITestOutputHelper output)
{
    const int Batch = 100;

    static readonly (long A, long B)[] Inputs =
    [
        (0, 0), (1, 2), (-1, 5), (int.MinValue, -1), (uint.MaxValue, 31), (long.MaxValue, long.MinValue),
        (0x1234_5678_9abc_def0, -7), (-100, 3),
    ];

    /// <summary>Shrunk failures found by the generator, kept as regression tests (F's body). None has been found so far;
    /// the entry below is hand-written in the generator's form so the mechanism runs.</summary>
    public static readonly TheoryData<string> Kept = new()
    {
        "unchecked((long)((((long)a) << (int)((((int)b) > ((int)a)) ? ((int)b) : ((int)(-1))))))",
    };

    [SkippableTheory]
    [MemberData(nameof(Kept))]
    public void Kept_cases_agree(string body)
    {
        Kernel.RequireBpf();
        Assert.Empty(Disagreements([body]));
    }

    [SkippableFact]
    public void Random_probes_agree_in_dotnet_the_kernel_and_the_interpreter()
    {
        Kernel.RequireBpf();
        int programs = int.TryParse(Environment.GetEnvironmentVariable("EBPF_RANDOM_PROGRAMS"), out var n) ? n : 2000;
        int batches = (programs + Batch - 1) / Batch;
        int ran = 0;
        var clock = Stopwatch.StartNew();
        ProbeGenerator.Program.Array[Batch].Sample(bodies =>
        {
            var failures = Disagreements(bodies);
            Interlocked.Add(ref ran, bodies.Length);
            if (failures.Count > 0) throw new Exception(string.Join("\n", failures.Take(10)));
        }, iter: batches, threads: 1, print: bodies => "\n" + string.Join("\n", bodies));
        output.WriteLine($"{ran} random programs x {Inputs.Length} inputs agree three ways (.NET, kernel, interpreter) in {clock.Elapsed.TotalSeconds:F1} s"
            + $" ({TimeSpan.FromTicks(Interlocked.Read(ref _buildTicks)).TotalSeconds:F1} s of it compiling with Roslyn and our compiler and loading into the kernel)");
        Assert.True(ran >= programs, $"only {ran} programs ran");
    }

    static long _buildTicks;

    static List<string> Disagreements(IReadOnlyList<string> bodies)
    {
        var source = ProbeGenerator.Source(bodies);
        var clock = Stopwatch.StartNew();
        using var three = new ThreeWay(source, "Generated.cs", "Generated");
        Interlocked.Add(ref _buildTicks, clock.Elapsed.Ticks);
        var failures = new List<string>();
        for (int i = 0; i < bodies.Count; i++)
        {
            long last = 0;
            foreach (var (a, b) in Inputs)
            {
                long expected = three.Dotnet("F" + i, a, b);
                uint verdict = (expected & 1) == 0 ? 2u : 1u;
                var kernel = three.InKernel("RunF" + i, a, b);
                var interpreted = three.Interpreted("RunF" + i, a, b);
                if (kernel != (verdict, expected) || interpreted != (verdict, expected))
                    failures.Add($"F{i}({a}, {b}) = {bodies[i]}: .NET {expected}, kernel {kernel.Result} (verdict {kernel.Verdict}), interpreter {interpreted.Result} (verdict {interpreted.Verdict})");
                last = expected;
            }
            var key = BitConverter.GetBytes((uint)i);
            long inKernel = BitConverter.ToInt64(three.Kernel.Maps["Results"].Lookup(key) ?? new byte[8]);
            long inVm = three.Vm.GetMap<uint, long>("Results")[(uint)i];
            if (inKernel != last || inVm != last)
                failures.Add($"Results[{i}] after the runs: .NET {last}, kernel {inKernel}, interpreter {inVm}");
        }
        return failures;
    }
}
