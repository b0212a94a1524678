using System.Runtime.InteropServices;

namespace Ebpf.Testing.Tests.Programs;

/// <summary>Proof that a test really runs without privileges: when the parent test
/// (<see cref="NonRootRunTests"/>) runs this assembly's interpreter tests as user nobody, it sets
/// <c>EBPF_EXPECT_NON_ROOT=1</c>, and each of those tests first checks that the process is uid 65534 and that the
/// kernel refuses it bpf() (EPERM) and /sys/fs/bpf.</summary>
public static partial class NonRoot
{
    public const string Variable = "EBPF_EXPECT_NON_ROOT";

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long cmd, nint attr, long size);

    const long SysBpf = 321; // x86-64
    const int EPERM = 1, EACCES = 13;

    public static uint EffectiveUid => GetEuid();

    /// <summary>In the unprivileged child run: fails unless the process is nobody and bpf() and bpffs are refused.</summary>
    public static void AssertWhenExpected()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") return;
        Assert.Equal(65534u, GetEuid());
        // BPF_PROG_LOAD (5) with an empty attr: a privileged caller gets EINVAL/EFAULT, an unprivileged one EPERM.
        var attr = Marshal.AllocHGlobal(128);
        try
        {
            unsafe { new Span<byte>((void*)attr, 128).Clear(); }
            long rc = Syscall(SysBpf, 5, attr, 128);
            int errno = Marshal.GetLastPInvokeError();
            Assert.True(rc < 0 && errno == EPERM, $"bpf(BPF_PROG_LOAD) returned {rc}, errno {errno}: expected EPERM for an unprivileged user");
        }
        finally { Marshal.FreeHGlobal(attr); }
        if (Directory.Exists("/sys/fs/bpf"))
        {
            var probe = Path.Combine("/sys/fs/bpf", "ebpf-interp-nobody-" + Environment.ProcessId);
            var e = Assert.ThrowsAny<Exception>(() => File.WriteAllText(probe, ""));
            Assert.True(e is UnauthorizedAccessException or IOException, e.ToString());
        }
    }
}
