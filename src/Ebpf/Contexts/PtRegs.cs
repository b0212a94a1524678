using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>The context of kprobes and uprobes: the probed function's registers (x86-64 <c>struct pt_regs</c>, 168 bytes).</summary>
/// <remarks>
/// Programs read it only. <see cref="Arg{T}"/> maps argument n to the System V calling convention's registers
/// (di, si, dx, cx, r8, r9); <see cref="ReturnValue{T}"/> reads ax in a kretprobe/uretprobe. For a kprobe on a
/// syscall wrapper (<c>__x64_sys_*</c>) the arguments are in the pt_regs that di points to (libbpf's
/// BPF_KPROBE_SYSCALL): read it with <see cref="Bpf.ProbeReadKernel{T}(out T, void*)"/>.
/// In managed code a <see cref="PtRegs"/> is an ordinary value: build one with an object initializer or
/// <see cref="WithArguments"/>.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = Size)]
public unsafe struct PtRegs
{
    /// <summary>sizeof(struct pt_regs) on x86-64.</summary>
    public const int Size = 168;
    fixed ulong _slots[Size / 8];

    ulong Get(int offset) => _slots[offset / 8];
    void Set(int offset, ulong value) => _slots[offset / 8] = value;

    /// <summary>Register r15.</summary>
    [ContextField(0, 8)] public ulong R15 { get => Get(0); [ManagedOnly] init => Set(0, value); }
    /// <summary>Register r14.</summary>
    [ContextField(8, 8)] public ulong R14 { get => Get(8); [ManagedOnly] init => Set(8, value); }
    /// <summary>Register r13.</summary>
    [ContextField(16, 8)] public ulong R13 { get => Get(16); [ManagedOnly] init => Set(16, value); }
    /// <summary>Register r12.</summary>
    [ContextField(24, 8)] public ulong R12 { get => Get(24); [ManagedOnly] init => Set(24, value); }
    /// <summary>Register bp: the frame pointer.</summary>
    [ContextField(32, 8)] public ulong Bp { get => Get(32); [ManagedOnly] init => Set(32, value); }
    /// <summary>Register bx.</summary>
    [ContextField(40, 8)] public ulong Bx { get => Get(40); [ManagedOnly] init => Set(40, value); }
    /// <summary>Register r11.</summary>
    [ContextField(48, 8)] public ulong R11 { get => Get(48); [ManagedOnly] init => Set(48, value); }
    /// <summary>Register r10.</summary>
    [ContextField(56, 8)] public ulong R10 { get => Get(56); [ManagedOnly] init => Set(56, value); }
    /// <summary>Register r9: argument 5.</summary>
    [ContextField(64, 8)] public ulong R9 { get => Get(64); [ManagedOnly] init => Set(64, value); }
    /// <summary>Register r8: argument 4.</summary>
    [ContextField(72, 8)] public ulong R8 { get => Get(72); [ManagedOnly] init => Set(72, value); }
    /// <summary>ax: the return value after the function returns.</summary>
    [ContextField(80, 8)] public ulong Ax { get => Get(80); [ManagedOnly] init => Set(80, value); }
    /// <summary>Register cx: argument 3.</summary>
    [ContextField(88, 8)] public ulong Cx { get => Get(88); [ManagedOnly] init => Set(88, value); }
    /// <summary>Register dx: argument 2 (and the second return register).</summary>
    [ContextField(96, 8)] public ulong Dx { get => Get(96); [ManagedOnly] init => Set(96, value); }
    /// <summary>Register si: argument 1.</summary>
    [ContextField(104, 8)] public ulong Si { get => Get(104); [ManagedOnly] init => Set(104, value); }
    /// <summary>Register di: argument 0.</summary>
    [ContextField(112, 8)] public ulong Di { get => Get(112); [ManagedOnly] init => Set(112, value); }
    /// <summary>orig_ax: the syscall number on syscall entry.</summary>
    [ContextField(120, 8)] public ulong OrigAx { get => Get(120); [ManagedOnly] init => Set(120, value); }
    /// <summary>ip: the instruction pointer (the probed address).</summary>
    [ContextField(128, 8)] public ulong Ip { get => Get(128); [ManagedOnly] init => Set(128, value); }
    /// <summary>Register cs: the code segment.</summary>
    [ContextField(136, 8)] public ulong Cs { get => Get(136); [ManagedOnly] init => Set(136, value); }
    /// <summary>Register flags: the CPU flags.</summary>
    [ContextField(144, 8)] public ulong Flags { get => Get(144); [ManagedOnly] init => Set(144, value); }
    /// <summary>sp: the stack pointer (at a function's entry, the return address is at [sp]).</summary>
    [ContextField(152, 8)] public ulong Sp { get => Get(152); [ManagedOnly] init => Set(152, value); }
    /// <summary>Register ss: the stack segment.</summary>
    [ContextField(160, 8)] public ulong Ss { get => Get(160); [ManagedOnly] init => Set(160, value); }

    /// <summary>The offsets of the argument registers di, si, dx, cx, r8, r9.</summary>
    internal static ReadOnlySpan<int> ArgumentOffsets => [112, 104, 96, 88, 72, 64];

    /// <summary>Argument <paramref name="n"/> (0-5) of the probed function, from its register, truncated to <typeparamref name="T"/>.</summary>
    /// <remarks>libbpf's PT_REGS_PARMn: an 8-byte load of di/si/dx/cx/r8/r9. <paramref name="n"/> must be a constant.
    /// For a pointer argument use <c>nint</c>/<c>ulong</c> and cast: <c>(byte*)ctx.Arg&lt;nint&gt;(1)</c>.</remarks>
    [ContextArgument(112, 104, 96, 88, 72, 64)]
    public T Arg<T>(int n) where T : unmanaged
    {
        if ((uint)n >= ArgumentOffsets.Length)
            throw new ArgumentOutOfRangeException(nameof(n), n, "x86-64 passes 6 arguments in registers: n is 0 to 5.");
        return Slots.Truncate<T>(Get(ArgumentOffsets[n]));
    }

    /// <summary>The probed function's return value (ax), truncated to <typeparamref name="T"/>; meaningful in kretprobes and uretprobes.</summary>
    /// <remarks>libbpf's PT_REGS_RC: an 8-byte load at offset 80.</remarks>
    [ContextReturnValue(Offset = 80)]
    public T ReturnValue<T>() where T : unmanaged => Slots.Truncate<T>(Ax);

    /// <summary>Registers holding <paramref name="arguments"/> in the argument registers, in order.</summary>
    [ManagedOnly]
    public static PtRegs WithArguments(params ReadOnlySpan<ulong> arguments)
    {
        if (arguments.Length > ArgumentOffsets.Length)
            throw new ArgumentException($"x86-64 passes at most {ArgumentOffsets.Length} arguments in registers.", nameof(arguments));
        var regs = new PtRegs();
        for (int i = 0; i < arguments.Length; i++) regs.Set(ArgumentOffsets[i], arguments[i]);
        return regs;
    }

    /// <summary>A copy of these registers with <paramref name="value"/> in ax, as a kretprobe sees them.</summary>
    [ManagedOnly]
    public readonly PtRegs WithReturnValue(ulong value)
    {
        var copy = this;
        copy.Set(80, value);
        return copy;
    }
}

/// <summary>Conversions of 8-byte context slots.</summary>
internal static class Slots
{
    /// <summary>The low bytes of <paramref name="slot"/> as a <typeparamref name="T"/>, as a BPF load of the slot followed by a narrowing does.</summary>
    public static unsafe T Truncate<T>(ulong slot) where T : unmanaged
    {
        if (sizeof(T) > sizeof(ulong))
            throw new NotSupportedException($"A context slot holds 8 bytes; {typeof(T).Name} has {sizeof(T)}.");
        return Unsafe.As<ulong, T>(ref slot);
    }
}
