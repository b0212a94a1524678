namespace Ebpf;

// cgroup programs: the return value seen by the syscall.
public static partial class Bpf
{
    /// <summary>The return value the syscall will see, as set by earlier programs of the cgroup chain.</summary>
    /// <remarks><c>bpf_get_retval()</c>, kernel 5.18 (cgroup programs). Managed: <see cref="BpfEnvironment.CgroupRetval"/>.</remarks>
    [BpfHelper(186)]
    public static int GetRetval() => Env.CgroupRetval;

    /// <summary>Sets the return value the syscall will see (0 or a negative errno); returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_set_retval(retval)</c>, kernel 5.18 (cgroup programs).</remarks>
    [BpfHelper(187)]
    public static int SetRetval(int retval)
    {
        if (retval > 0 || retval < -4095) return -Errno.EINVAL;
        Env.CgroupRetval = retval;
        return 0;
    }
}
