namespace Ebpf.Runtime;

/// <summary>An fd for a BPF map (<c>anon_inode:bpf-map</c>).</summary>
/// <remarks>Map element operations borrow the fd through <see cref="Use"/> rather than the SafeHandle reference count:
/// on this kind of syscall-bound path the two interlocked operations around each bpf(2) call cost about as much as all
/// the rest of the managed code. Disposing waits until no thread is inside such a use, so the fd number cannot be
/// closed and recycled under a running operation, as with the reference count.</remarks>
public sealed class MapHandle(int fd) : FileDescriptorHandle(fd)
{
    volatile bool _closing;

    internal bool Closing => _closing;

    /// <summary>Keeps the fd open while the returned use lasts; for short syscalls (map element operations).</summary>
    internal MapFdUse Use() => new(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closing)
        {
            _closing = true;
            MapFdUses.WaitUntilUnused(this);
        }
        base.Dispose(disposing);
    }
}

/// <summary>A borrowed map fd without interlocked operations: the thread publishes the handle in its own slot with a
/// plain store, then checks the handle is not closing (an asymmetric Dekker handshake: the disposer sets
/// <see cref="MapHandle.Closing"/>, runs a process-wide memory barrier, then waits for every slot to let go of the handle).
/// A nested use on the same thread, or a handle that is closing, falls back to <see cref="FdLease"/>.</summary>
internal ref struct MapFdUse
{
    readonly MapFdUses.Slot? _slot;
    FdLease _lease;

    public MapFdUse(MapHandle handle)
    {
        var slot = MapFdUses.Current;
        if (slot.Handle is null)
        {
            Volatile.Write(ref slot.Handle, handle);                    // a plain store: the disposer's barrier orders it before the checks
            if (!handle.Closing && !handle.IsClosed)
            {
                _slot = slot;
                _lease = default;
                Fd = (int)handle.DangerousGetHandle();
                return;
            }
            Volatile.Write(ref slot.Handle, null);
        }
        _slot = null;
        _lease = new FdLease(handle);                                    // throws ObjectDisposedException once closed
        Fd = _lease.Fd;
    }

    public int Fd { get; }

    public void Dispose()
    {
        if (_slot is not null) Volatile.Write(ref _slot.Handle, null);
        else _lease.Dispose();
    }
}

/// <summary>The per-thread slots of <see cref="MapFdUse"/>, and the disposer's wait on them.</summary>
internal static class MapFdUses
{
    internal sealed class Slot
    {
        public MapHandle? Handle;
        public readonly Thread Owner = Thread.CurrentThread;
    }

    [ThreadStatic] static Slot? t_slot;
    static readonly Lock Gate = new();
    static Slot[] s_slots = [];

    public static Slot Current => t_slot ?? Register();

    static Slot Register()
    {
        var slot = new Slot();
        lock (Gate) s_slots = [.. s_slots.Where(s => s.Owner.IsAlive), slot];   // a dead thread's slot is empty
        return t_slot = slot;
    }

    /// <summary>Returns once no thread uses <paramref name="handle"/>; its <see cref="MapHandle.Closing"/> is already set,
    /// so after the barrier every new use sees it and takes the reference-counted path.</summary>
    public static void WaitUntilUnused(MapHandle handle)
    {
        Interlocked.MemoryBarrierProcessWide();
        Slot[] slots;
        lock (Gate) slots = s_slots;
        var spin = new SpinWait();
        foreach (var slot in slots)
            while (Volatile.Read(ref slot.Handle) == handle) spin.SpinOnce();
    }
}
