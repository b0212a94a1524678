namespace Ebpf.TestSupport;

/// <summary>Gate for tests that need the real kernel. On a machine without BPF (not root, no
/// bpf() syscall) they skip with a loud reason; on the project's bench and in CI (root, Linux,
/// EBPF_REQUIRE_KERNEL=1 or CI=true) a missing capability is a failure, not a skip.</summary>
public static class Kernel
{
    public static void RequireBpf()
    {
        string? reason = null;
        if (!OperatingSystem.IsLinux()) reason = "not Linux";
        else if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("EBPF_TESTS_AS_USER") != "1") reason = "not root (CAP_BPF needed)";
        else if (!File.Exists("/sys/kernel/btf/vmlinux")) reason = "kernel without BTF (/sys/kernel/btf/vmlinux)";
        if (reason == null) return;
        bool mustHave = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("EBPF_REQUIRE_KERNEL") == "1";
        if (mustHave) throw new InvalidOperationException($"BPF is required here but unavailable: {reason}");
        Skip.If(true, $"SKIPPED: BPF unavailable ({reason}); these tests need the real kernel verifier");
    }

    /// <summary>tracefs must be mounted for tracepoint ids; the test command mounts it.</summary>
    public static void RequireTracefs()
    {
        RequireBpf();
        if (!Directory.Exists("/sys/kernel/tracing/events"))
            throw new InvalidOperationException("tracefs is not mounted at /sys/kernel/tracing; run the README's test command (it mounts it)");
    }
}
