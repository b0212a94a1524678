using Ebpf.Testing.Isa;
using Ebpf.Testing.Maps;
using Ebpf.Testing.Memory;

namespace Ebpf.Testing.Helpers;

/// <summary>One helper call as its implementation sees it: the helper id, the arguments R1-R5, and checked access to
/// the program's memory and maps.</summary>
public sealed class HelperCall
{
    readonly ulong[] _registers;
    readonly Executor? _executor;

    internal HelperCall(int id, ulong[] registers, BpfVm vm, ulong context, Executor? executor = null)
    {
        Id = id;
        _registers = registers;
        Vm = vm;
        Context = context;
        _executor = executor;
    }

    public int Id { get; }
    public BpfVm Vm { get; }
    /// <summary>The address of the running program's context (R1 at entry).</summary>
    public ulong Context { get; }
    public ulong Arg1 => _registers[1];
    public ulong Arg2 => _registers[2];
    public ulong Arg3 => _registers[3];
    public ulong Arg4 => _registers[4];
    public ulong Arg5 => _registers[5];
    public AddressSpace Memory => Vm.Memory;

    /// <summary>Calls the program's BPF function at <paramref name="function"/> (a callback argument) with R1-R5 =
    /// <paramref name="arguments"/>, in a new frame; returns its R0.</summary>
    public ulong CallBack(ulong function, params ReadOnlySpan<ulong> arguments)
        => (_executor ?? throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{HelperNames.Of(Id)} calls back, which needs a running program"))
            .Call(function, arguments, Context, HelperNames.Of(Id));

    /// <summary>The map whose address is <paramref name="handle"/> (an argument the program loaded with <c>ld_imm64</c>).</summary>
    public InterpreterMap Map(ulong handle) => Vm.MapAt(handle)
        ?? throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{HelperNames.Of(Id)}: argument 0x{handle:x} is not a map", handle);

    /// <summary>The map argument as <typeparamref name="T"/>, or a fault naming the helper and the map type it needs.</summary>
    public T Map<T>(ulong handle, string helper) where T : InterpreterMap
        => Map(handle) as T ?? throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{helper} needs a {typeof(T).Name}, got {Map(handle)}", handle);

    /// <summary><paramref name="length"/> readable bytes at <paramref name="address"/> (a fault when out of bounds).</summary>
    public Span<byte> Read(ulong address, ulong length) => Memory.Readable(address, CheckLength(length));

    /// <summary><paramref name="length"/> writable bytes at <paramref name="address"/> (a fault when out of bounds or read-only).</summary>
    public Span<byte> Write(ulong address, ulong length) => Memory.Writable(address, CheckLength(length));

    int CheckLength(ulong length) => length <= int.MaxValue ? (int)length
        : throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{HelperNames.Of(Id)}: size {(long)length} is negative or too large");
}
