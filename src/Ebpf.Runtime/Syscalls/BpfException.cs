namespace Ebpf.Runtime;

/// <summary>A failed kernel operation: which step failed (<c>create map 'Counts'</c>), the errno, and a hint when
/// the errno has a known cause in that step.</summary>
public class BpfException : Exception
{
    public BpfException(string step, int errno, string? hint = null)
        : base(Compose(step, errno, hint))
    {
        Step = step;
        Errno = errno;
        Hint = hint;
    }

    protected BpfException(string step, int errno, string message, bool _)
        : base(message)
    {
        Step = step;
        Errno = errno;
    }

    /// <summary>What the runtime was doing, e.g. <c>create map 'Counts'</c>.</summary>
    public string Step { get; }
    /// <summary>The errno returned by the kernel.</summary>
    public int Errno { get; }
    /// <summary>The errno's symbolic name (<c>EPERM</c>).</summary>
    public string ErrnoName => Syscalls.Errno.Name(Errno);
    public string? Hint { get; }

    static string Compose(string step, int errno, string? hint)
        => $"{step}: {Syscalls.Errno.Format(errno)}" + (hint is null ? "" : $"; {hint}");
}
