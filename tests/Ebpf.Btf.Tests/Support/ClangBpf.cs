using Ebpf.TestSupport;

namespace Ebpf.Btf.Tests.Support;

/// <summary>Builds reference objects with clang at test time and pulls sections out with llvm-objcopy.</summary>
public static class ClangBpf
{
    /// <summary>Compiles <paramref name="source"/> with <c>clang -O2 -g -target bpf -c</c>; returns the object path.</summary>
    public static string Compile(string source, string name) => Ebpf.TestSupport.ClangBpf.CompileSource(source, name);

    /// <summary>The raw bytes of one section of an object file.</summary>
    public static byte[] DumpSection(string objectPath, string section)
    {
        var outFile = Path.Combine(Path.GetDirectoryName(objectPath)!, section.Trim('.').Replace('/', '_') + ".bin");
        var scratch = objectPath + ".scratch";
        var r = ExternalTool.Run(ExternalTool.Require("llvm-objcopy"), $"--dump-section={section}={outFile}", objectPath, scratch);
        Assert.True(r.ExitCode == 0, $"llvm-objcopy failed:\n{r.Combined}");
        return File.ReadAllBytes(outFile);
    }

    /// <summary><c>bpftool btf dump file PATH</c> (raw format), without the trailing newline.</summary>
    public static string BpftoolDump(string path)
    {
        var r = ExternalTool.Run(ExternalTool.Require("bpftool"), "btf", "dump", "file", path);
        Assert.True(r.ExitCode == 0, $"bpftool btf dump failed:\n{r.Combined}");
        return r.StdOut.TrimEnd('\n');
    }

    public static string WriteTemp(byte[] bytes, string name)
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-btf-tests-").FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
