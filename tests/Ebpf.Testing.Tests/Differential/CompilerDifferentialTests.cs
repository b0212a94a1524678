using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>The programs the compiler's kernel tests run (tests/Ebpf.Compiler.Tests/Codegen/InKernel: the C# semantics
/// cases and the seeded random expression/statement generator), run here by .NET, the kernel and the interpreter,
/// which must all agree.</summary>
public class CompilerDifferentialTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Semantics_cases_agree_in_dotnet_the_kernel_and_the_interpreter()
    {
        Kernel.RequireBpf();
        using var three = new ThreeWay(SemanticsKernelTests.Source(), "Cases.cs", "Cases");
        Check(three, SemanticsKernelTests.Cases.Select(c => c.Name).ToList(), SemanticsKernelTests.Inputs().ToList());
    }

    public static IEnumerable<object[]> ExpressionSeeds => RandomExpressionKernelTests.ExpressionSeeds;
    public static IEnumerable<object[]> StatementSeeds => RandomExpressionKernelTests.StatementSeeds;

    [SkippableTheory]
    [MemberData(nameof(ExpressionSeeds))]
    public void Random_expressions_agree_in_dotnet_the_kernel_and_the_interpreter(int seed)
    {
        Kernel.RequireBpf();
        var source = RandomExpressionKernelTests.Source(seed, out var names);
        using var three = new ThreeWay(source, "Random.cs", "Random");
        Check(three, names, SemanticsKernelTests.Inputs().Take(24).ToList());
    }

    [SkippableTheory]
    [MemberData(nameof(StatementSeeds))]
    public void Random_functions_with_loops_and_calls_agree_in_dotnet_the_kernel_and_the_interpreter(int seed)
    {
        Kernel.RequireBpf();
        var source = RandomExpressionKernelTests.Source(seed, out var names, statements: true);
        using var three = new ThreeWay(source, "Random.cs", "Random");
        Check(three, names, SemanticsKernelTests.Inputs().Take(24).ToList());
    }

    void Check(ThreeWay three, IReadOnlyList<string> functions, IReadOnlyList<(long A, long B)> inputs)
    {
        var failures = new List<string>();
        int runs = 0;
        foreach (var name in functions)
            foreach (var (a, b) in inputs)
            {
                long expected = three.Dotnet(name, a, b);
                var kernel = three.InKernel("Run" + name, a, b);
                var interpreted = three.Interpreted("Run" + name, a, b);
                runs++;
                if (kernel != interpreted || kernel.Result != expected || kernel.Verdict != 2)
                    failures.Add($"{name}({a}, {b}): .NET {expected}, kernel {kernel.Result} (verdict {kernel.Verdict}), interpreter {interpreted.Result} (verdict {interpreted.Verdict})");
            }
        output.WriteLine($"{functions.Count} functions, {runs} runs, three-way agreement");
        Assert.True(failures.Count == 0, $"{failures.Count} disagreements:\n" + string.Join("\n", failures.Take(30)));
    }
}
