using System.Runtime.InteropServices;
using System.Text;

namespace Ebpf;

// The current task: ids, name, cgroup, signals.
public static unsafe partial class Bpf
{
    /// <summary>The current task's ids: <c>tgid &lt;&lt; 32 | pid</c> (process id high, thread id low).</summary>
    /// <remarks><c>bpf_get_current_pid_tgid</c>, kernel 4.2. Managed: <see cref="BpfEnvironment.Tgid"/>, <see cref="BpfEnvironment.Pid"/>.</remarks>
    [BpfHelper(14)] public static ulong GetCurrentPidTgid() => (ulong)Env.Tgid << 32 | Env.Pid;

    /// <summary>The current task's credentials: <c>gid &lt;&lt; 32 | uid</c>.</summary>
    /// <remarks><c>bpf_get_current_uid_gid</c>, kernel 4.2. Managed: <see cref="BpfEnvironment.Uid"/>, <see cref="BpfEnvironment.Gid"/>.</remarks>
    [BpfHelper(15)] public static ulong GetCurrentUidGid() => (ulong)Env.Gid << 32 | Env.Uid;

    /// <summary>Copies the current task's name (<c>comm</c>), zero-terminated, into <paramref name="buf"/>; returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_get_current_comm</c>, kernel 4.2. The name is truncated to <paramref name="size"/> - 1 bytes;
    /// the rest of the buffer is zeroed. Managed: <see cref="BpfEnvironment.Comm"/>.</remarks>
    [BpfHelper(16)]
    public static long GetCurrentComm(byte* buf, uint size) => GetCurrentComm(new Span<byte>(buf, checked((int)size)));

    /// <summary>Copies the current task's name, zero-terminated, into <paramref name="buffer"/>; returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_get_current_comm</c> with the span's address and length.</remarks>
    [BpfHelper(16)]
    public static long GetCurrentComm(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return -Errno.EINVAL;
        buffer.Clear();
        var name = Encoding.UTF8.GetBytes(Env.Comm);
        name.AsSpan(0, Math.Min(name.Length, buffer.Length - 1)).CopyTo(buffer);
        return 0;
    }

    /// <summary>Copies the current task's name into a fixed-size value (e.g. a 16-byte inline array); returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_get_current_comm(&amp;name, sizeof(T))</c>.</remarks>
    [BpfHelper(16)]
    public static long GetCurrentComm<T>(out T name) where T : unmanaged
    {
        name = default;
        return GetCurrentComm(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref name, 1)));
    }

    /// <summary>The address of the current <c>struct task_struct</c>.</summary>
    /// <remarks><c>bpf_get_current_task</c>, kernel 4.8. Read fields through <see cref="ProbeReadKernel(void*, uint, void*)"/>
    /// or use <see cref="GetCurrentTaskBtf"/>. Managed: <see cref="BpfEnvironment.CurrentTask"/>.</remarks>
    [BpfHelper(35)] public static ulong GetCurrentTask() => Env.CurrentTask;

    /// <summary>The current task as a BTF pointer the verifier lets a program dereference directly.</summary>
    /// <remarks><c>bpf_get_current_task_btf</c>, kernel 5.11. Cast it to the generated <c>task_struct*</c>.
    /// Managed: <see cref="BpfEnvironment.CurrentTask"/>.</remarks>
    [BpfHelper(158)] public static void* GetCurrentTaskBtf() => (void*)Env.CurrentTask;

    /// <summary>The id of the current task's cgroup (cgroup v2).</summary>
    /// <remarks><c>bpf_get_current_cgroup_id</c>, kernel 4.18. Managed: <see cref="BpfEnvironment.CgroupId"/>.</remarks>
    [BpfHelper(80)] public static ulong GetCurrentCgroupId() => Env.CgroupId;

    /// <summary>The id of the current task's cgroup ancestor at <paramref name="ancestorLevel"/> (0 = root).</summary>
    /// <remarks><c>bpf_get_current_ancestor_cgroup_id</c>, kernel 5.6. Managed: the root (level 0) is id 1, the
    /// current cgroup's level is 1, beyond it 0 (no such ancestor).</remarks>
    [BpfHelper(123)]
    public static ulong GetCurrentAncestorCgroupId(int ancestorLevel) => ancestorLevel switch
    {
        0 => 1,
        1 => Env.CgroupId,
        _ => 0,
    };

    /// <summary>Sends signal <paramref name="sig"/> to the current process.</summary>
    /// <remarks><c>bpf_send_signal</c>, kernel 5.3. Managed: recorded in <see cref="BpfEnvironment.SentSignals"/>.</remarks>
    [BpfHelper(109)]
    public static long SendSignal(uint sig)
    {
        if (sig == 0 || sig > 64) return -Errno.EINVAL;
        Env.RecordSignal(sig, threadOnly: false);
        return 0;
    }

    /// <summary>Sends signal <paramref name="sig"/> to the current thread.</summary>
    /// <remarks><c>bpf_send_signal_thread</c>, kernel 5.5. Managed: recorded in <see cref="BpfEnvironment.SentSignals"/>.</remarks>
    [BpfHelper(117)]
    public static long SendSignalThread(uint sig)
    {
        if (sig == 0 || sig > 64) return -Errno.EINVAL;
        Env.RecordSignal(sig, threadOnly: true);
        return 0;
    }
}
