using System.Diagnostics;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>Wall time spent per phase of a differential run, summed over the threads that ran it (so the sum may exceed
/// the run's wall time).</summary>
public sealed class PhaseTimes
{
    long _dotnet, _ebpf, _load, _run;

    /// <summary>Roslyn: the .NET reference compiled, emitted and loaded.</summary>
    public TimeSpan Dotnet => TimeSpan.FromTicks(Interlocked.Read(ref _dotnet));
    /// <summary>Our compiler: C# to an eBPF object.</summary>
    public TimeSpan Ebpf => TimeSpan.FromTicks(Interlocked.Read(ref _ebpf));
    /// <summary>The object loaded into the interpreter and into the kernel (the verifier).</summary>
    public TimeSpan Load => TimeSpan.FromTicks(Interlocked.Read(ref _load));
    /// <summary>The inputs run three ways and compared.</summary>
    public TimeSpan Run => TimeSpan.FromTicks(Interlocked.Read(ref _run));

    public T TimeDotnet<T>(Func<T> step) => Time(ref _dotnet, step);
    public T TimeEbpf<T>(Func<T> step) => Time(ref _ebpf, step);
    public T TimeLoad<T>(Func<T> step) => Time(ref _load, step);
    public T TimeRun<T>(Func<T> step) => Time(ref _run, step);

    static T Time<T>(ref long total, Func<T> step)
    {
        long start = Stopwatch.GetTimestamp();
        try { return step(); }
        finally { Interlocked.Add(ref total, Stopwatch.GetElapsedTime(start).Ticks); }
    }

    public override string ToString()
        => $"Roslyn {Dotnet.TotalSeconds:F1} s, our compiler {Ebpf.TotalSeconds:F1} s, loading (interpreter and kernel verifier) {Load.TotalSeconds:F1} s, running {Run.TotalSeconds:F1} s";
}
