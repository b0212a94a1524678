namespace Ebpf.TestSupport;

/// <summary>Reference objects built by clang at test time (<c>clang -O2 -g -target bpf -c</c>), the
/// compiler we compare ourselves with and whose objects our reader and loader must take.</summary>
public static class ClangBpf
{
    /// <summary>Compiles C <paramref name="source"/> into a fresh temporary directory; returns the object's path.</summary>
    public static string CompileSource(string source, string name, params string[] extraArgs)
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-clang-").FullName;
        var c = Path.Combine(dir, name + ".c");
        File.WriteAllText(c, source);
        return CompileInto(c, Path.Combine(dir, name + ".o"), extraArgs);
    }

    /// <summary>Compiles the C file <paramref name="cPath"/> into a fresh temporary directory; returns the object's path.</summary>
    public static string CompileFile(string cPath, params string[] extraArgs)
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-clang-").FullName;
        return CompileInto(cPath, Path.Combine(dir, Path.GetFileNameWithoutExtension(cPath) + ".o"), extraArgs);
    }

    static string CompileInto(string cPath, string objectPath, string[] extraArgs)
    {
        // Debian keeps asm/types.h under the multiarch directory, which -target bpf does not search.
        var r = ExternalTool.Run(ExternalTool.Require("clang"),
            ["-O2", "-g", "-target", "bpf", .. extraArgs, "-I/usr/include/x86_64-linux-gnu", "-c", cPath, "-o", objectPath]);
        Assert.True(r.ExitCode == 0, $"clang failed on {cPath}:\n{r.Combined}");
        return objectPath;
    }
}
