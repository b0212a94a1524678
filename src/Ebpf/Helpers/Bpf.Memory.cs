using System.Runtime.InteropServices;

namespace Ebpf;

// Reading kernel and user memory safely (probe_read*, copy_from_user).
public static unsafe partial class Bpf
{
    /// <summary>Copies <paramref name="size"/> bytes of kernel memory at <paramref name="unsafePtr"/> to <paramref name="dst"/>;
    /// returns 0, or a negative errno with <paramref name="dst"/> zeroed.</summary>
    /// <remarks><c>bpf_probe_read_kernel</c>, kernel 5.5. Managed: copies from the caller's memory; a null
    /// (or first-page) address faults with -EFAULT.</remarks>
    [BpfHelper(113)]
    public static long ProbeReadKernel(void* dst, uint size, void* unsafePtr) => ManagedMemory.Read(dst, size, unsafePtr);

    /// <summary>Copies kernel memory at <paramref name="unsafePtr"/> into <paramref name="dst"/> (its whole length).</summary>
    /// <remarks><c>bpf_probe_read_kernel(dst, dst.Length, unsafePtr)</c>.</remarks>
    [BpfHelper(113)]
    public static long ProbeReadKernel(Span<byte> dst, void* unsafePtr)
    {
        fixed (byte* p = dst) return ManagedMemory.Read(p, (uint)dst.Length, unsafePtr);
    }

    /// <summary>Reads a <typeparamref name="T"/> from kernel memory at <paramref name="unsafePtr"/>.</summary>
    /// <remarks><c>bpf_probe_read_kernel(&amp;value, sizeof(T), unsafePtr)</c>.</remarks>
    [BpfHelper(113)]
    public static long ProbeReadKernel<T>(out T value, void* unsafePtr) where T : unmanaged
    {
        fixed (T* p = &value) return ManagedMemory.Read(p, (uint)sizeof(T), unsafePtr);
    }

    /// <summary>Copies a zero-terminated string of kernel memory into <paramref name="dst"/> (at most <paramref name="size"/>
    /// bytes, always terminated); returns the length copied including the zero, or a negative errno.</summary>
    /// <remarks><c>bpf_probe_read_kernel_str</c>, kernel 5.5.</remarks>
    [BpfHelper(115)]
    public static long ProbeReadKernelStr(byte* dst, uint size, void* unsafePtr) => ManagedMemory.ReadString(dst, size, unsafePtr);

    /// <summary>Copies a zero-terminated kernel string into <paramref name="dst"/>; returns the length including the zero, or a negative errno.</summary>
    /// <remarks><c>bpf_probe_read_kernel_str(dst, dst.Length, unsafePtr)</c>.</remarks>
    [BpfHelper(115)]
    public static long ProbeReadKernelStr(Span<byte> dst, void* unsafePtr)
    {
        fixed (byte* p = dst) return ManagedMemory.ReadString(p, (uint)dst.Length, unsafePtr);
    }

    /// <summary>Copies <paramref name="size"/> bytes of user memory at <paramref name="unsafePtr"/> to <paramref name="dst"/>;
    /// returns 0, or a negative errno with <paramref name="dst"/> zeroed.</summary>
    /// <remarks><c>bpf_probe_read_user</c>, kernel 5.5. Managed: copies from the caller's memory.</remarks>
    [BpfHelper(112)]
    public static long ProbeReadUser(void* dst, uint size, void* unsafePtr) => ManagedMemory.Read(dst, size, unsafePtr);

    /// <summary>Copies user memory at <paramref name="unsafePtr"/> into <paramref name="dst"/> (its whole length).</summary>
    /// <remarks><c>bpf_probe_read_user(dst, dst.Length, unsafePtr)</c>.</remarks>
    [BpfHelper(112)]
    public static long ProbeReadUser(Span<byte> dst, void* unsafePtr)
    {
        fixed (byte* p = dst) return ManagedMemory.Read(p, (uint)dst.Length, unsafePtr);
    }

    /// <summary>Reads a <typeparamref name="T"/> from user memory at <paramref name="unsafePtr"/>.</summary>
    /// <remarks><c>bpf_probe_read_user(&amp;value, sizeof(T), unsafePtr)</c>.</remarks>
    [BpfHelper(112)]
    public static long ProbeReadUser<T>(out T value, void* unsafePtr) where T : unmanaged
    {
        fixed (T* p = &value) return ManagedMemory.Read(p, (uint)sizeof(T), unsafePtr);
    }

    /// <summary>Copies a zero-terminated string of user memory into <paramref name="dst"/> (at most <paramref name="size"/>
    /// bytes, always terminated); returns the length copied including the zero, or a negative errno.</summary>
    /// <remarks><c>bpf_probe_read_user_str</c>, kernel 5.5.</remarks>
    [BpfHelper(114)]
    public static long ProbeReadUserStr(byte* dst, uint size, void* unsafePtr) => ManagedMemory.ReadString(dst, size, unsafePtr);

    /// <summary>Copies a zero-terminated user string into <paramref name="dst"/>; returns the length including the zero, or a negative errno.</summary>
    /// <remarks><c>bpf_probe_read_user_str(dst, dst.Length, unsafePtr)</c>.</remarks>
    [BpfHelper(114)]
    public static long ProbeReadUserStr(Span<byte> dst, void* unsafePtr)
    {
        fixed (byte* p = dst) return ManagedMemory.ReadString(p, (uint)dst.Length, unsafePtr);
    }

    /// <summary>Copies memory that may be kernel or user memory (architectures with one address space).</summary>
    /// <remarks><c>bpf_probe_read</c>, kernel 4.1; prefer <see cref="ProbeReadKernel(void*, uint, void*)"/> or
    /// <see cref="ProbeReadUser(void*, uint, void*)"/> (kernel 5.5), which say which memory they read.</remarks>
    [BpfHelper(4)]
    public static long ProbeRead(void* dst, uint size, void* unsafePtr) => ManagedMemory.Read(dst, size, unsafePtr);

    /// <summary>Copies a zero-terminated string that may be kernel or user memory.</summary>
    /// <remarks><c>bpf_probe_read_str</c>, kernel 4.11; prefer the <c>_kernel_str</c>/<c>_user_str</c> forms.</remarks>
    [BpfHelper(45)]
    public static long ProbeReadStr(byte* dst, uint size, void* unsafePtr) => ManagedMemory.ReadString(dst, size, unsafePtr);

    /// <summary>Copies user memory in a sleepable program (it may fault pages in).</summary>
    /// <remarks><c>bpf_copy_from_user</c>, kernel 5.10, sleepable programs only.</remarks>
    [BpfHelper(148)]
    public static long CopyFromUser(void* dst, uint size, void* userPtr) => ManagedMemory.Read(dst, size, userPtr);

    /// <summary>Writes to user memory of the current process (debugging only; the kernel logs a warning).</summary>
    /// <remarks><c>bpf_probe_write_user</c>, kernel 4.8. Refused under lockdown.</remarks>
    [BpfHelper(36)]
    public static long ProbeWriteUser(void* dst, void* src, uint len) => ManagedMemory.Write(dst, src, len);
}

/// <summary>The managed side of the probe_read family: the pointer is the caller's memory, and the
/// first page (null and small offsets from it) faults as it does in the kernel.</summary>
internal static unsafe class ManagedMemory
{
    const ulong FirstValidAddress = 4096;

    static bool Faults(void* address, uint size) => (ulong)address < FirstValidAddress && size != 0;

    public static long Read(void* dst, uint size, void* src)
    {
        if (Faults(src, size))
        {
            NativeMemory.Clear(dst, size);
            return -Errno.EFAULT;
        }
        Buffer.MemoryCopy(src, dst, size, size);
        return 0;
    }

    public static long ReadString(byte* dst, uint size, void* src)
    {
        if (size == 0) return 0;
        if (Faults(src, size))
        {
            NativeMemory.Clear(dst, size);
            return -Errno.EFAULT;
        }
        var source = (byte*)src;
        uint n = 0;
        while (n < size - 1 && source[n] != 0) { dst[n] = source[n]; n++; }
        dst[n] = 0;
        return n + 1;
    }

    public static long Write(void* dst, void* src, uint size)
    {
        if (Faults(dst, size) || Faults(src, size)) return -Errno.EFAULT;
        Buffer.MemoryCopy(src, dst, size, size);
        return 0;
    }
}
