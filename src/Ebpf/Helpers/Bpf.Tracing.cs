using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>struct bpf_pidns_info: a task's ids as seen from a pid namespace.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BpfPidnsInfo
{
    /// <summary>The thread id in the namespace.</summary>
    public uint Pid;
    /// <summary>The process id in the namespace.</summary>
    public uint Tgid;
}

// Tracing programs: the traced function, attach cookies, return value override, namespaces.
public static unsafe partial class Bpf
{
    /// <summary>Copies argument <paramref name="n"/> of the traced function into <paramref name="value"/>; returns 0 or -EINVAL when it has fewer arguments.</summary>
    /// <remarks><c>bpf_get_func_arg(ctx, n, &amp;value)</c>, kernel 5.17 (fentry, fexit, fmod_ret).</remarks>
    [BpfHelper(183)]
    public static long GetFuncArg(TracingContext ctx, uint n, out ulong value)
    {
        bool ok = n < (uint)ctx.ArgumentCount;
        value = ok ? ctx.RawArgument((int)n) : 0;
        return ok ? 0 : -Errno.EINVAL;
    }

    /// <summary>Copies the traced function's return value into <paramref name="value"/>; returns 0 (fexit) or -EOPNOTSUPP.</summary>
    /// <remarks><c>bpf_get_func_ret(ctx, &amp;value)</c>, kernel 5.17 (fexit, fmod_ret).</remarks>
    [BpfHelper(184)]
    public static long GetFuncRet(TracingContext ctx, out ulong value)
    {
        value = ctx.RawReturnValue;
        return 0;
    }

    /// <summary>The number of arguments of the traced function.</summary>
    /// <remarks><c>bpf_get_func_arg_cnt(ctx)</c>, kernel 5.17.</remarks>
    [BpfHelper(185)]
    public static long GetFuncArgCnt(TracingContext ctx) => ctx.ArgumentCount;

    /// <summary>The address of the traced function.</summary>
    /// <remarks><c>bpf_get_func_ip(ctx)</c>, kernel 5.15 (fentry/fexit; kprobes since 5.16). Managed: set with
    /// <see cref="TracingContext.WithFunction"/>; for a <see cref="PtRegs"/>, its ip.</remarks>
    [BpfHelper(173)]
    public static ulong GetFuncIp<TContext>(TContext ctx) => ctx switch
    {
        TracingContext tracing => tracing.FunctionIp,
        PtRegs regs => regs.Ip,
        _ => 0,
    };

    /// <summary>The cookie user space gave the attachment (the BPF link's <c>bpf_cookie</c>).</summary>
    /// <remarks><c>bpf_get_attach_cookie(ctx)</c>, kernel 5.15. Managed: <see cref="TracingContext.WithFunction"/>,
    /// otherwise <see cref="BpfEnvironment.AttachCookie"/>.</remarks>
    [BpfHelper(174)]
    public static ulong GetAttachCookie<TContext>(TContext ctx) =>
        ctx is TracingContext { Cookie: not 0 } tracing ? tracing.Cookie : Env.AttachCookie;

    /// <summary>Makes the probed function return <paramref name="rc"/> without running (error injection).</summary>
    /// <remarks><c>bpf_override_return(regs, rc)</c>, kernel 4.16; only for functions marked
    /// ALLOW_ERROR_INJECTION and kernels with CONFIG_BPF_KPROBE_OVERRIDE (refused under lockdown).
    /// Managed: recorded in <see cref="BpfEnvironment.OverriddenReturn"/>.</remarks>
    [BpfHelper(58)]
    public static long OverrideReturn(PtRegs regs, ulong rc)
    {
        Env.OverriddenReturn = rc;
        return 0;
    }

    /// <summary>The current task's ids as seen from the pid namespace (<paramref name="dev"/>, <paramref name="ino"/>) of
    /// /proc/self/ns/pid; returns 0 or -EINVAL when the task is not in that namespace.</summary>
    /// <remarks><c>bpf_get_ns_current_pid_tgid(dev, ino, &amp;info, sizeof(info))</c>, kernel 5.7. Managed: the
    /// namespace of <see cref="BpfEnvironment.PidNamespace"/>, whose ids are <see cref="BpfEnvironment.Pid"/>/<see cref="BpfEnvironment.Tgid"/>.</remarks>
    [BpfHelper(120)]
    public static long GetNsCurrentPidTgid(ulong dev, ulong ino, out BpfPidnsInfo info)
    {
        info = default;
        if (Env.PidNamespace != (dev, ino)) return -Errno.EINVAL;
        info = new BpfPidnsInfo { Pid = Env.Pid, Tgid = Env.Tgid };
        return 0;
    }
}
