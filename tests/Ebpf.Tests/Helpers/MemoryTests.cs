namespace Ebpf.Tests.Helpers;

public unsafe class MemoryTests
{
    [Fact]
    public void Probe_reads_copy_from_the_callers_memory()
    {
        long source = 0x1122334455667788;
        Assert.Equal(0, Bpf.ProbeReadKernel(out long copy, &source));
        Assert.Equal(source, copy);
        byte* bytes = stackalloc byte[4];
        Assert.Equal(0, Bpf.ProbeReadUser(bytes, 4, &source));
        Assert.Equal(0x55667788u, *(uint*)bytes);
    }

    [Fact]
    public void A_null_address_faults_and_zeroes_the_destination()
    {
        long copy = -1;
        Assert.Equal(-Errno.EFAULT, Bpf.ProbeReadKernel(&copy, 8, null));
        Assert.Equal(0, copy);
        var buffer = new byte[] { 1, 2, 3 };
        Assert.Equal(-Errno.EFAULT, Bpf.ProbeReadUserStr(buffer, (void*)16));
        Assert.Equal(new byte[3], buffer);
    }

    [Fact]
    public void String_reads_stop_at_the_zero_or_the_buffer_and_count_the_zero()
    {
        fixed (byte* source = "/etc/passwd\0"u8)
        {
            var buffer = new byte[32];
            Assert.Equal(12, Bpf.ProbeReadUserStr(buffer, source));
            Assert.Equal("/etc/passwd\0"u8.ToArray(), buffer[..12]);
            var small = new byte[5];
            Assert.Equal(5, Bpf.ProbeReadKernelStr(small, source));
            Assert.Equal("/etc\0"u8.ToArray(), small);
        }
    }
}
