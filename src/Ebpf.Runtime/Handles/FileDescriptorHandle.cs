using System.Runtime.InteropServices;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A file descriptor for a kernel object (map, program, BTF, link, perf event), closed exactly once when
/// disposed or finalized. Closing the last fd of an object releases it (a link detaches, a map is freed unless
/// pinned or used by a loaded program).</summary>
public abstract class FileDescriptorHandle : SafeHandle
{
    protected FileDescriptorHandle(int fd) : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The fd number. Valid only while this handle is not disposed; syscalls inside the runtime
    /// use <see cref="Lease"/> so a concurrent dispose cannot recycle the number under them.</summary>
    public int Fd => IsClosed ? throw new ObjectDisposedException(GetType().Name) : (int)handle;

    /// <summary>Keeps the fd open for the lifetime of the returned lease (SafeHandle reference counting).</summary>
    internal FdLease Lease() => new(this);

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;

    public override string ToString() => IsClosed ? $"{GetType().Name}(closed)" : $"{GetType().Name}(fd {(int)handle})";
}

/// <summary>A borrowed fd: AddRef on creation, Release on dispose.</summary>
internal ref struct FdLease
{
    readonly SafeHandle _handle;
    bool _added;

    public FdLease(SafeHandle handle)
    {
        _handle = handle;
        _added = false;
        handle.DangerousAddRef(ref _added);
        Fd = (int)handle.DangerousGetHandle();
    }

    public int Fd { get; }

    public void Dispose()
    {
        if (_added) _handle.DangerousRelease();
        _added = false;
    }
}

/// <summary>An fd for a BPF map (<c>anon_inode:bpf-map</c>).</summary>
public sealed class MapHandle(int fd) : FileDescriptorHandle(fd)
{
    // Element commands that cannot block borrow the fd through ShortFdUse rather than a lease.
    protected override bool ReleaseHandle()
    {
        ShortFdUse.WaitUntilUnused(this);
        return base.ReleaseHandle();
    }
}

/// <summary>An fd for a loaded BPF program (<c>anon_inode:bpf-prog</c>).</summary>
public sealed class ProgramHandle(int fd) : FileDescriptorHandle(fd);

/// <summary>An fd for BTF loaded into the kernel with BPF_BTF_LOAD (<c>anon_inode:btf</c>).</summary>
public sealed class BtfHandle(int fd) : FileDescriptorHandle(fd);

/// <summary>An fd for a BPF link (<c>anon_inode:bpf_link</c>); closing the last one detaches the program.</summary>
public sealed class LinkHandle(int fd) : FileDescriptorHandle(fd);

/// <summary>An fd from perf_event_open(2) (a tracepoint or probe event a program is attached to).</summary>
public sealed class PerfEventHandle(int fd) : FileDescriptorHandle(fd);
