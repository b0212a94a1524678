using System.Runtime.ExceptionServices;

namespace Ebpf.Compiler.Pipeline;

/// <summary>Runs the compiler on a thread with a large stack. Lowering and Roslyn's own walks recurse
/// over the nesting of the input; with this stack deep input (hundreds of nested expressions, methods of
/// ten thousand statements) compiles, and what is deeper still is caught by the
/// <c>EnsureSufficientExecutionStack</c> guards (EBPF1907) long before the process could overflow.</summary>
public static class LargeStack
{
    /// <summary>The stack of the compiler's thread: 256 MiB (reserved address space; pages are touched only as used).</summary>
    public const int Size = 256 * 1024 * 1024;

    /// <summary>Runs <paramref name="work"/> on a thread with a <see cref="Size"/> stack and returns its result;
    /// an exception it throws is rethrown here with its original stack.</summary>
    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        }, Size) { Name = "ebpf-compiler" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
