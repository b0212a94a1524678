using System.Reflection;
using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Testing.Tests.Programs;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>One C# probe source run three ways: as .NET code (the reference), in the kernel (compiled by our compiler,
/// verified and run with BPF_PROG_TEST_RUN) and on the interpreter. Each function <c>static long F(long a, long b)</c>
/// has an XDP wrapper <c>RunF</c> that reads (a, b) from the packet, stores the result in the global <c>Result</c>,
/// and returns a verdict.</summary>
public sealed class ThreeWay : IDisposable
{
    readonly Type _type;
    readonly LoadedProbe _kernel;

    public ThreeWay(string source, string path, string className, bool withKernel = true)
    {
        var compilation = TestCompilations.Create(source, path);
        TestCompilations.AssertNoErrors(compilation);
        _type = TestCompilations.EmitAndLoad(compilation).GetType(className)!;
        Vm = BpfTestHost.Load(ProbeCompiler.Compile(source, path));
        _kernel = withKernel ? LoadedProbe.Load(source, path) : null!;
    }

    public BpfVm Vm { get; }
    public LoadedProbe Kernel => _kernel;

    public long Dotnet(string function, long a, long b)
        => (long)_type.GetMethod(function, BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Public)!.Invoke(null, [a, b])!;

    public static byte[] Packet(long a, long b)
    {
        var packet = new byte[16];
        BitConverter.TryWriteBytes(packet.AsSpan(0), a);
        BitConverter.TryWriteBytes(packet.AsSpan(8), b);
        return packet;
    }

    public (uint Verdict, long Result) InKernel(string program, long a, long b)
    {
        uint verdict = _kernel.RunXdp(program, Packet(a, b));
        return (verdict, _kernel.Global<long>("Result"));
    }

    public (uint Verdict, long Result) Interpreted(string program, long a, long b)
    {
        var verdict = (uint)Vm.RunXdp(program, Packet(a, b)).ReturnValue;
        return (verdict, Vm.Globals.Get<long>("Result"));
    }

    public void Dispose() => _kernel?.Dispose();
}
