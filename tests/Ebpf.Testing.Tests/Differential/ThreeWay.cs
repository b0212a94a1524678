using System.Reflection;
using System.Runtime.InteropServices;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Microsoft.CodeAnalysis;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>One C# probe source run three ways: as .NET code (the reference), in the kernel (compiled by our compiler,
/// verified and run with BPF_PROG_TEST_RUN) and on the interpreter (the same compiled object). Each function
/// <c>static long F(long a, long b)</c> has an XDP wrapper <c>RunF</c> that reads (a, b) from the packet, stores the
/// result in the global <c>Result</c>, and returns a verdict.</summary>
public sealed class ThreeWay : IDisposable
{
    readonly Type _type;
    readonly ObjectSpec _spec;

    public ThreeWay(string source, string path, string className, PhaseTimes? times = null)
    {
        times ??= new PhaseTimes();
        // One compilation for both sides: the .NET reference runs exactly what our compiler compiled, and Roslyn's work
        // up to binding is done once.
        var diagnostics = new List<Diagnostic>();
        var compilation = BpfCompiler.CreateCompilation([(source, path)], new BpfCompilerOptions(), diagnostics);
        Assert.Empty(diagnostics);
        _type = times.TimeDotnet(() => TestCompilations.EmitAndLoad(compilation).GetType(className)!);
        _spec = times.TimeEbpf(() =>
        {
            var result = BpfCompiler.Compile(compilation);
            Assert.True(result.Success, "our compiler failed:\n" + string.Join("\n", result.Diagnostics));
            return Assert.Single(result.Objects).Spec;
        });
        (Vm, Kernel) = times.TimeLoad(() =>
        {
            var vm = BpfTestHost.Load(_spec);   // copies what it needs: the kernel load below may edit the spec
            return (vm, Collection.Load(_spec));
        });
    }

    public BpfVm Vm { get; }
    public Collection Kernel { get; }

    public long Dotnet(string function, long a, long b)
        => (long)_type.GetMethod(function, BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Public)!.Invoke(null, [a, b])!;

    /// <summary>The value under <paramref name="key"/> in map field <paramref name="map"/> of the .NET side, as bytes
    /// (the struct's own layout), or null when absent.</summary>
    public byte[]? DotnetLookup(string map, uint key)
    {
        var instance = _type.GetField(map, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        object?[] args = [key, null];
        if (!(bool)instance.GetType().GetMethod("TryGetValue")!.Invoke(instance, args)!) return null;
        return Bytes(args[1]!);
    }

    static byte[] Bytes(object value)
    {
        if (value is long l) return BitConverter.GetBytes(l);
        var bytes = new byte[Marshal.SizeOf(value.GetType())];
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try { Marshal.StructureToPtr(value, handle.AddrOfPinnedObject(), false); }
        finally { handle.Free(); }
        return bytes;
    }

    public byte[]? KernelLookup(string map, uint key) => Kernel.Maps[map].Lookup(BitConverter.GetBytes(key));

    public byte[]? InterpretedLookup(string map, uint key) => Vm.Maps[map].Lookup(BitConverter.GetBytes(key));

    public static byte[] Packet(long a, long b)
    {
        var packet = new byte[16];
        BitConverter.TryWriteBytes(packet.AsSpan(0), a);
        BitConverter.TryWriteBytes(packet.AsSpan(8), b);
        return packet;
    }

    public (uint Verdict, long Result) InKernel(string program, long a, long b)
    {
        uint verdict = Kernel.Programs[program].TestRun(Packet(a, b)).ReturnValue;
        var variable = _spec.FindVariable("Result");
        var value = Kernel.Maps[variable.Section.Name].Lookup(new byte[4]) ?? throw new InvalidOperationException($"no value in {variable.Section.Name}");
        return (verdict, MemoryMarshal.Read<long>(value.AsSpan((int)variable.Offset, 8)));
    }

    public (uint Verdict, long Result) Interpreted(string program, long a, long b)
    {
        var verdict = (uint)Vm.RunXdp(program, Packet(a, b)).ReturnValue;
        return (verdict, Vm.Globals.Get<long>("Result"));
    }

    public void Dispose() => Kernel.Dispose();
}
