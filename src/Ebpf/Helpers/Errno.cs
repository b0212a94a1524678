namespace Ebpf;

/// <summary>The Linux error numbers that helpers and map operations return, negated (<c>-Errno.ENOENT</c>).</summary>
/// <remarks>Values from the kernel's <c>include/uapi/asm-generic/errno-base.h</c>/<c>errno.h</c>; constants, so
/// <c>if (Counts.Update(k, v, MapUpdate.NoExist) == -Errno.EEXIST)</c> compiles to an immediate compare.</remarks>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int E2BIG = 7;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int ERANGE = 34;
    public const int ELOOP = 40;
    public const int EOPNOTSUPP = 95;
    /// <summary>The kernel-internal ENOTSUPP (not EOPNOTSUPP) some helpers return.</summary>
    public const int ENOTSUPP = 524;
}
