using Ebpf.Compiler.Pipeline;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace Ebpf.Compiler.Tests.Language;

/// <summary>The compiler never crashes (EBPF9xxx or an exception): generated inputs (random subset programs, programs with constructs
/// outside the subset or syntax errors, deep nesting of expressions, blocks and ifs, 10,000-statement
/// methods) give either an object or located diagnostics; never an exception, never an internal error
/// (EBPF9xxx), never a stack overflow (which would kill the test process). Thousands of generated and mutated inputs
/// go through the compiler and the analyzers in tests/Ebpf.Fuzz.Tests (CompilerAndAnalyzerFuzzTests).</summary>
public class CompilerRobustnessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ProgramGenerator.Shape.HugeMethod)]
    [InlineData(ProgramGenerator.Shape.DeepExpression)]
    [InlineData(ProgramGenerator.Shape.DeepBlocks)]
    [InlineData(ProgramGenerator.Shape.DeepIfs)]
    [InlineData(ProgramGenerator.Shape.DeepParentheses)]
    public void Pathological_shape_compiles_or_is_reported(ProgramGenerator.Shape shape)
    {
        var source = ProgramGenerator.Generate(12345, shape);
        output.WriteLine(Check(source, shape.ToString()));
    }

    /// <summary>Compiles <paramref name="source"/>; "object" or "diagnostics", failing on any crash or internal error.</summary>
    static string Check(string source, string what)
    {
        BpfCompileResult result;
        try
        {
            result = BpfCompiler.CompileSources(new[] { (source, "Fuzz.cs") });
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: the compiler threw {e.GetType().Name}: {e.Message}\n{source[..Math.Min(source.Length, 3000)]}");
        }
        var internalErrors = result.Diagnostics.Where(d => d.Id.StartsWith("EBPF9", StringComparison.Ordinal)).ToList();
        if (internalErrors.Count > 0)
            throw new Xunit.Sdk.XunitException($"{what}: {string.Join("\n", internalErrors)}\n{source[..Math.Min(source.Length, 3000)]}");
        if (result.Success) return "object";
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.NotEmpty(errors);
        foreach (var d in errors)
            Assert.True(d.Location.IsInSource || d.Id.StartsWith("EBPF4", StringComparison.Ordinal), $"{what}: diagnostic without a location: {d}");
        return "diagnostics";
    }
}
