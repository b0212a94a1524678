using Ebpf.TestSupport;

namespace Ebpf.Object.Tests.Support;

/// <summary>clang, llvm and bpftool as cross-checks, with scratch files in a fresh temp directory.</summary>
public static class Tools
{
    public static string TempDir() => Directory.CreateTempSubdirectory("ebpf-object-tests-").FullName;

    public static string WriteTemp(byte[] bytes, string name)
    {
        var path = Path.Combine(TempDir(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Compiles C with <c>clang -O2 -g -target bpf -c</c>; returns the object's path.</summary>
    public static string CompileC(string source, string name) => ClangBpf.CompileSource(source, name);

    public static ExternalTool.Result Run(string tool, params string[] args) => ExternalTool.Run(ExternalTool.Require(tool), args);

    public static string MustRun(string tool, params string[] args)
    {
        var r = Run(tool, args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.Combined}");
        return r.StdOut;
    }

    /// <summary>A fresh directory in bpffs, removed (with its pins) when disposed.</summary>
    public sealed class PinDirectory : IDisposable
    {
        public string Path { get; } = "/sys/fs/bpf/ebpf-object-tests-" + Guid.NewGuid().ToString("N")[..12];
        public PinDirectory() => Directory.CreateDirectory(Path);
        public void Dispose()
        {
            if (!Directory.Exists(Path)) return;
            foreach (var f in Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories).OrderByDescending(p => p.Length))
            {
                if (Directory.Exists(f)) Directory.Delete(f); else File.Delete(f);
            }
            Directory.Delete(Path);
        }
    }
}
