namespace Ebpf.Testing.Helpers;

/// <summary>Kernel and user memory outside the program, as <c>bpf_probe_read_*</c> sees it: byte ranges the test places at
/// addresses it chooses (a <c>task_struct</c>, a file name in user space). Reads of anything else fail with -EFAULT,
/// as they would for an unmapped kernel address.</summary>
public sealed class FakeKernelMemory
{
    readonly SortedDictionary<ulong, byte[]> _ranges = new();

    /// <summary>Places <paramref name="bytes"/> at <paramref name="address"/>.</summary>
    public FakeKernelMemory Add(ulong address, byte[] bytes)
    {
        _ranges[address] = bytes;
        return this;
    }

    /// <summary>Places a zero-terminated UTF-8 string at <paramref name="address"/>.</summary>
    public FakeKernelMemory AddString(ulong address, string text) => Add(address, [.. System.Text.Encoding.UTF8.GetBytes(text), 0]);

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="address"/>; false when any byte is not placed.</summary>
    public bool TryRead(ulong address, Span<byte> destination)
    {
        foreach (var (start, bytes) in _ranges)
        {
            if (address < start || address - start > (ulong)bytes.Length) continue;
            int offset = (int)(address - start);
            if (bytes.Length - offset < destination.Length) continue;
            bytes.AsSpan(offset, destination.Length).CopyTo(destination);
            return true;
        }
        return false;
    }

    /// <summary>The bytes from <paramref name="address"/> to the end of the range holding it (for string reads), or empty.</summary>
    public ReadOnlySpan<byte> From(ulong address)
    {
        foreach (var (start, bytes) in _ranges)
            if (address >= start && address - start < (ulong)bytes.Length) return bytes.AsSpan((int)(address - start));
        return ReadOnlySpan<byte>.Empty;
    }
}
