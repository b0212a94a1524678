using System.Runtime.CompilerServices;

namespace Ebpf.Runtime;

/// <summary>Borrows a handle's fd for one short, non-blocking syscall without an atomic instruction on the caller's
/// side, so a concurrent dispose still cannot close the fd (and let the kernel recycle its number for another object)
/// while the syscall runs.</summary>
/// <remarks>
/// <para>Why: a SafeHandle AddRef/Release pair is two locked compare-exchanges, about 35 ns on the VMs this runtime is
/// measured on, or 8% of a BPF_MAP_LOOKUP_ELEM; libbpf takes no reference at all (and offers no protection).</para>
/// <para>How: an asymmetric Dekker handshake. Each thread owns a slot; the caller stores the fd into its slot, then
/// reads the handle's closed flag, with no fence between. <see cref="WaitUntilUnused"/> runs after SafeHandle has set
/// the closed flag (a locked operation) and before the fd is closed: a process-wide memory barrier (membarrier(2))
/// makes every thread's earlier slot store visible, so either the caller sees the flag and backs out, or the closer
/// sees the slot and waits for the syscall to finish. The wait is short because only commands that cannot block use
/// this (see ShortMapCommands); everything else keeps the SafeHandle lease.</para>
/// <para>Nothing may throw between <see cref="Enter"/> and <see cref="Exit"/>: a slot left set would make the
/// handle's release wait forever.</para>
/// </remarks>
internal static class ShortFdUse
{
    // The fd number, not the handle: an int store needs no GC write barrier, and while a handle is open no other
    // handle has its number.
    internal sealed class Slot
    {
        public int InUseFd = -1;
    }

    [ThreadStatic] static Slot? t_slot;

    // Every thread's slot, copied on write. A thread's slot stays after it exits (empty, so it never delays a release):
    // threads that make map calls are few and long-lived (the caller's own threads and the thread pool's).
    static Slot[] s_slots = [];
    static readonly Lock s_registration = new();

    /// <summary>Marks <paramref name="handle"/> in use by this thread and returns its fd;
    /// <see cref="ObjectDisposedException"/> once it is closed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Slot Enter(FileDescriptorHandle handle, out int fd)
    {
        var slot = t_slot ?? Register();
        fd = (int)handle.DangerousGetHandle();
        Volatile.Write(ref slot.InUseFd, fd);
        if (handle.IsClosed)
        {
            Volatile.Write(ref slot.InUseFd, -1);
            ThrowClosed(handle);
        }
        return slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(Slot slot) => Volatile.Write(ref slot.InUseFd, -1);

    /// <summary>Returns once no thread is inside <see cref="Enter"/>/<see cref="Exit"/> with <paramref name="handle"/>.
    /// Call only after the handle is marked closed.</summary>
    public static void WaitUntilUnused(FileDescriptorHandle handle)
    {
        var slots = Volatile.Read(ref s_slots);
        if (slots.Length == 0) return;
        int fd = (int)handle.DangerousGetHandle();
        Interlocked.MemoryBarrierProcessWide();
        foreach (var slot in slots)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref slot.InUseFd) == fd) spin.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static Slot Register()
    {
        var slot = new Slot();
        lock (s_registration) s_slots = [.. s_slots, slot];
        return t_slot = slot;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowClosed(FileDescriptorHandle handle) => throw new ObjectDisposedException(handle.GetType().Name);
}
