namespace Ebpf.Runtime.Tests.Programs;

/// <summary><c>extern ... __kconfig</c> variables in a clang-built object: the loader fills the <c>.kconfig</c> map from the
/// running kernel (libbpf's virtual LINUX_* values and the build configuration), and the program reads them.</summary>
public class KconfigTests
{
    const string Source = """
        #include <linux/bpf.h>
        #include <stdbool.h>
        #include <bpf/bpf_helpers.h>
        extern unsigned int LINUX_KERNEL_VERSION __kconfig;
        extern const bool LINUX_HAS_BPF_COOKIE __kconfig;
        extern bool CONFIG_BPF_SYSCALL __kconfig;
        extern int CONFIG_HZ __kconfig;
        extern bool CONFIG_NOT_AN_OPTION_ANYWHERE __kconfig;
        unsigned long long version, cookie, bpf_syscall, hz, missing;
        SEC("syscall")
        int read_kconfig(void *ctx)
        {
            version = LINUX_KERNEL_VERSION;
            cookie = LINUX_HAS_BPF_COOKIE;
            bpf_syscall = CONFIG_BPF_SYSCALL;
            hz = CONFIG_HZ;
            missing = CONFIG_NOT_AN_OPTION_ANYWHERE;
            return 0;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    [SkippableFact]
    public void Kconfig_externs_read_the_running_kernels_version_features_and_configuration()
    {
        Kernel.RequireBpf();
        using var c = Collection.LoadFile(ClangBpf.CompileSource(Source, "kconfig"));
        c.GetProgram("read_kconfig").TestRun(new TestRunOptions());
        var v = Environment.OSVersion.Version;
        Assert.Equal((ulong)((v.Major << 16) + (v.Minor << 8) + Math.Min(v.Build, 255)), c.ReadVariable<ulong>("version"));
        Assert.Equal(1UL, c.ReadVariable<ulong>("cookie"));                  // 6.x has BPF cookies
        Assert.Equal(0UL, c.ReadVariable<ulong>("missing"));
        if (ConfigValue("CONFIG_BPF_SYSCALL") is { } syscall) Assert.Equal(syscall == "y" ? 1UL : 0UL, c.ReadVariable<ulong>("bpf_syscall"));
        if (ConfigValue("CONFIG_HZ") is { } hz) Assert.Equal(ulong.Parse(hz, System.Globalization.CultureInfo.InvariantCulture), c.ReadVariable<ulong>("hz"));
    }

    static string? ConfigValue(string option)
    {
        if (!File.Exists("/proc/config.gz")) return null;
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead("/proc/config.gz"), System.IO.Compression.CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
            if (line.StartsWith(option + "=", StringComparison.Ordinal)) return line[(option.Length + 1)..];
        return null;
    }
}
