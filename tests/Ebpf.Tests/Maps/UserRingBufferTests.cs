namespace Ebpf.Tests.Maps;

public class UserRingBufferTests
{
    [Fact]
    public void A_sample_takes_its_length_and_an_8_byte_header_rounded_up_to_8()
    {
        var ring = new UserRingBuffer(sizeBytes: 4096);
        Assert.False(ring.TrySubmit(new byte[4096 - 8 + 1]));
        Assert.True(ring.TrySubmit(new byte[4096 - 8]));                 // exactly the ring
        Assert.False(ring.TrySubmit(ReadOnlySpan<byte>.Empty));          // even an empty sample takes its header

        var small = new UserRingBuffer(sizeBytes: 4096);
        int accepted = 0;
        while (small.TrySubmit(new byte[5])) accepted++;
        Assert.Equal(4096 / 16, accepted);                                // 5 + 8 rounds up to 16
    }

    [Fact]
    public void Draining_frees_the_room_and_a_drain_takes_only_the_wakeup_flags()
    {
        var ring = new UserRingBuffer(sizeBytes: 4096);
        Assert.True(ring.TrySubmit(new byte[4096 - 8]));
        long state = 0;
        Assert.Equal(-Errno.EINVAL, ring.Drain(static (ref Dynptr _, ref long _) => 0, ref state, flags: 4));
        Assert.Equal(1, ring.Count);
        Assert.Equal(1, ring.Drain(static (ref Dynptr sample, ref long s) => { s = sample.Size; return 0; }, ref state, flags: 3));
        Assert.Equal(4096 - 8, state);
        Assert.True(ring.TrySubmit(new byte[4096 - 8]));
    }
}
