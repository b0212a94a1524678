using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Ebpf;

/// <summary>The simulated kernel that the managed implementations of <see cref="Bpf"/> helpers read:
/// the current task, clocks, the CPU a program runs on, the trace pipe.</summary>
/// <remarks>
/// Only managed (unit-test) execution uses this type; compiled programs call the kernel helpers.
/// <see cref="Current"/> is ambient per async flow: <see cref="Use"/> installs an environment for the
/// code that follows (and the tasks it starts), so tests running in parallel do not share state.
/// Without <see cref="Use"/>, <see cref="Current"/> is one process-wide default environment.
/// </remarks>
[ManagedOnly]
public sealed class BpfEnvironment
{
    static readonly AsyncLocal<BpfEnvironment?> Ambient = new();
    static readonly BpfEnvironment ProcessDefault = new();

    /// <summary>The environment the managed helpers read now.</summary>
    public static BpfEnvironment Current => Ambient.Value ?? ProcessDefault;

    /// <summary>Makes <paramref name="environment"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(BpfEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var previous = Ambient.Value;
        Ambient.Value = environment;
        return new Scope(() => Ambient.Value = previous);
    }

    sealed class Scope(Action restore) : IDisposable
    {
        int _disposed;
        public void Dispose() { if (Interlocked.Exchange(ref _disposed, 1) == 0) restore(); }
    }

    // ----- current task -----

    /// <summary>The thread id (the kernel's <c>pid</c>), low half of <c>bpf_get_current_pid_tgid</c>.</summary>
    public uint Pid { get; set; } = (uint)Environment.ProcessId;
    /// <summary>The process id (the kernel's <c>tgid</c>), high half of <c>bpf_get_current_pid_tgid</c>.</summary>
    public uint Tgid { get; set; } = (uint)Environment.ProcessId;
    /// <summary>The user id, low half of <c>bpf_get_current_uid_gid</c>.</summary>
    public uint Uid { get; set; }
    /// <summary>The group id, high half of <c>bpf_get_current_uid_gid</c>.</summary>
    public uint Gid { get; set; }

    /// <summary>Sets <see cref="Pid"/> and <see cref="Tgid"/> together (a single-threaded process).</summary>
    public uint ProcessId { set { Pid = value; Tgid = value; } }

    string _comm = "dotnet";
    /// <summary>The task's command name (<c>task_struct.comm</c>), at most 15 bytes as in the kernel.</summary>
    public string Comm
    {
        get => _comm;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Encoding.UTF8.GetByteCount(value) > CommLength - 1)
                throw new ArgumentException($"A task name holds at most {CommLength - 1} bytes (TASK_COMM_LEN is {CommLength}).", nameof(value));
            _comm = value;
        }
    }

    /// <summary>TASK_COMM_LEN: the size of <c>task_struct.comm</c> including its terminating zero.</summary>
    public const int CommLength = 16;

    /// <summary>The cgroup v2 id returned by <c>bpf_get_current_cgroup_id</c>.</summary>
    public ulong CgroupId { get; set; } = 1;
    /// <summary>The address returned by <c>bpf_get_current_task</c> (a <c>struct task_struct *</c>).</summary>
    public ulong CurrentTask { get; set; }

    /// <summary>The (device, inode) of the pid namespace the ids above belong to, for <c>bpf_get_ns_current_pid_tgid</c>.</summary>
    public (ulong Device, ulong Inode) PidNamespace { get; set; } = (4, 0xEFFFFFFC);   // the initial pid namespace's proc inode

    // ----- attachment -----

    /// <summary>The cookie of the program's attachment (<c>bpf_get_attach_cookie</c>).</summary>
    public ulong AttachCookie { get; set; }
    /// <summary>The value a program asked the probed function to return with <c>bpf_override_return</c>, if any.</summary>
    public ulong? OverriddenReturn { get; set; }

    /// <summary>The return value of the syscall a cgroup program chain decides (<c>bpf_get_retval</c>/<c>bpf_set_retval</c>).</summary>
    public int CgroupRetval { get; set; }
    /// <summary>The counter of the perf event that triggered a perf_event program (<c>bpf_perf_prog_read_value</c>).</summary>
    public BpfPerfEventValue PerfEventValue { get; set; }

    // ----- CPUs -----

    uint _cpuCount = 4;
    /// <summary>The number of possible CPUs: per-CPU maps hold one value per CPU.</summary>
    public uint CpuCount
    {
        get => _cpuCount;
        set
        {
            if (value == 0) throw new ArgumentOutOfRangeException(nameof(value), "A machine has at least one CPU.");
            if (_processorId >= value) throw new ArgumentOutOfRangeException(nameof(value), $"The current CPU {_processorId} would not exist.");
            _cpuCount = value;
        }
    }

    uint _processorId;
    /// <summary>The CPU the program runs on (<c>bpf_get_smp_processor_id</c>); below <see cref="CpuCount"/>.</summary>
    public uint ProcessorId
    {
        get => _processorId;
        set
        {
            if (value >= _cpuCount) throw new ArgumentOutOfRangeException(nameof(value), $"CPU {value} does not exist: CpuCount is {_cpuCount}.");
            _processorId = value;
        }
    }

    /// <summary>The NUMA node (<c>bpf_get_numa_node_id</c>).</summary>
    public int NumaNodeId { get; set; }

    // ----- clocks -----

    static readonly long ClockOrigin = Stopwatch.GetTimestamp();
    ulong? _monotonicNs;
    ulong _bootOffsetNs, _taiOffsetNs = 37UL * 1_000_000_000 + (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    /// <summary>CLOCK_MONOTONIC in nanoseconds (<c>bpf_ktime_get_ns</c>). It follows a real clock until
    /// set; once set it stays fixed, moved only by <see cref="Advance"/> or another set.</summary>
    public ulong MonotonicNs
    {
        get => _monotonicNs ?? (ulong)Stopwatch.GetElapsedTime(ClockOrigin).Ticks * 100 + 1_000_000_000;
        set => _monotonicNs = value;
    }

    /// <summary>Time spent suspended: CLOCK_BOOTTIME (<c>bpf_ktime_get_boot_ns</c>) is <see cref="MonotonicNs"/> plus this.</summary>
    public ulong SuspendedNs { get => _bootOffsetNs; set => _bootOffsetNs = value; }
    /// <summary>CLOCK_BOOTTIME in nanoseconds (<c>bpf_ktime_get_boot_ns</c>).</summary>
    public ulong BootNs => MonotonicNs + _bootOffsetNs;
    /// <summary>CLOCK_TAI minus CLOCK_MONOTONIC: CLOCK_TAI (<c>bpf_ktime_get_tai_ns</c>) is <see cref="MonotonicNs"/> plus this.</summary>
    public ulong TaiOffsetNs { get => _taiOffsetNs; set => _taiOffsetNs = value; }
    /// <summary>Ticks per second of <c>bpf_jiffies64</c> (CONFIG_HZ).</summary>
    public uint Hz { get; set; } = 250;
    /// <summary>The jiffies counter (<c>bpf_jiffies64</c>), derived from <see cref="MonotonicNs"/>.</summary>
    public ulong Jiffies => MonotonicNs / (1_000_000_000UL / Hz);

    /// <summary>Moves the monotonic clock forward (and freezes it if it was following the real clock).</summary>
    public void Advance(TimeSpan time)
    {
        if (time < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(time), "Clocks only move forward.");
        MonotonicNs += (ulong)time.Ticks * 100;
    }

    // ----- randomness -----

    Random _random = new();
    /// <summary>Seeds <c>bpf_get_prandom_u32</c> so a test sees a reproducible sequence.</summary>
    public int RandomSeed { set => _random = new Random(value); }
    internal uint NextRandom() { lock (_random) return (uint)_random.NextInt64(0, 1L << 32); }

    // ----- trace pipe -----

    readonly ConcurrentQueue<string> _trace = new();
    /// <summary>Lines written by <c>bpf_trace_printk</c> (<see cref="Bpf.Printk(string)"/>), oldest first,
    /// as the message part of /sys/kernel/tracing/trace_pipe.</summary>
    public IReadOnlyList<string> TraceLines => _trace.ToArray();
    /// <summary>Called with each trace line as it is written, in addition to <see cref="TraceLines"/>.</summary>
    public Action<string>? TraceSink { get; set; }
    internal void WriteTrace(string line) { _trace.Enqueue(line); TraceSink?.Invoke(line); }
    /// <summary>Empties <see cref="TraceLines"/>.</summary>
    public void ClearTrace() => _trace.Clear();

    // ----- stacks -----

    /// <summary>The kernel call stack (instruction pointers, innermost first) that <c>bpf_get_stack</c>
    /// and <c>bpf_get_stackid</c> report.</summary>
    public ulong[] KernelStack { get; set; } = [];
    /// <summary>The user call stack (innermost first) reported with BPF_F_USER_STACK.</summary>
    public ulong[] UserStack { get; set; } = [];

    // ----- signals -----

    readonly ConcurrentQueue<(uint Signal, bool ThreadOnly)> _signals = new();
    /// <summary>Signals sent by <c>bpf_send_signal</c>/<c>bpf_send_signal_thread</c>, in order.</summary>
    public IReadOnlyList<(uint Signal, bool ThreadOnly)> SentSignals => _signals.ToArray();
    internal void RecordSignal(uint signal, bool threadOnly) => _signals.Enqueue((signal, threadOnly));
}
