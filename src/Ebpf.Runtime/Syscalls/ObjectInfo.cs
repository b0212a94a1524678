namespace Ebpf.Runtime.Syscalls;

/// <summary>BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN and BPF_OBJ_GET for any BPF object fd.</summary>
internal static unsafe class ObjectInfo
{
    public static TInfo Get<TInfo>(FileDescriptorHandle handle, string step) where TInfo : unmanaged
    {
        TInfo info = default;
        using var fd = handle.Lease();
        var attr = new ObjInfoAttr { BpfFd = (uint)fd.Fd, InfoLen = (uint)sizeof(TInfo), Info = (ulong)&info };
        BpfSyscall.InvokeOrThrow(BpfCommand.ObjGetInfoByFd, ref attr, step);
        return info;
    }

    public static void Pin(FileDescriptorHandle handle, string path, string step)
    {
        var bytes = NulTerminated(path);
        fixed (byte* p = bytes)
        {
            using var fd = handle.Lease();
            var attr = new ObjPinAttr { PathName = (ulong)p, BpfFd = (uint)fd.Fd };
            int rc = BpfSyscall.Invoke(BpfCommand.ObjPin, ref attr, out int errno);
            if (rc < 0) throw new BpfException(step, errno, PinHint(path, errno));
        }
    }

    /// <summary>BPF_OBJ_GET: a new fd for the object pinned at <paramref name="path"/>, or -1 with errno.</summary>
    public static int Get(string path, out int errno)
    {
        var bytes = NulTerminated(path);
        fixed (byte* p = bytes)
        {
            var attr = new ObjPinAttr { PathName = (ulong)p };
            return BpfSyscall.Invoke(BpfCommand.ObjGet, ref attr, out errno);
        }
    }

    public static string? PinHint(string path, int errno) => errno switch
    {
        Errno.EEXIST => $"'{path}' already exists (remove the old pin first)",
        Errno.ENOENT => $"the directory of '{path}' does not exist",
        Errno.EPERM or Errno.EINVAL or Errno.EACCES => $"'{path}' must be on a bpffs mount (mount -t bpf bpf /sys/fs/bpf)",
        _ => null,
    };

    public static byte[] NulTerminated(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
