using System.Runtime.CompilerServices;

namespace Ebpf.Tests.Maps;

public class RingBufferTests
{
    struct Event
    {
        public uint Pid;
        public ulong Timestamp;
    }

    [Fact]
    public void Reserved_records_are_filled_in_place_and_seen_after_submit()
    {
        var ring = new RingBuffer(sizeBytes: 4096);
        ref Event e = ref ring.Reserve<Event>();
        Assert.False(Unsafe.IsNullRef(ref e));
        e.Pid = 42;
        e.Timestamp = 7;
        Assert.False(ring.TryTake(out byte[] _));            // not submitted yet
        ring.Submit(ref e);
        Assert.True(ring.TryTake(out Event taken));
        Assert.Equal((42u, 7UL), (taken.Pid, taken.Timestamp));
    }

    [Fact]
    public void A_reserved_record_is_not_zeroed()
    {
        var ring = new RingBuffer(sizeBytes: 4096);
        ref Event e = ref ring.Reserve<Event>();
        Assert.NotEqual(0u, e.Pid);                          // stale bytes, as in the kernel
        ring.Discard(ref e);
    }

    [Fact]
    public void Records_appear_in_reservation_order_and_discarded_ones_are_skipped()
    {
        var ring = new RingBuffer(sizeBytes: 4096);
        ref int first = ref ring.Reserve<int>();
        ref int second = ref ring.Reserve<int>();
        ref int third = ref ring.Reserve<int>();
        first = 1; second = 2; third = 3;
        ring.Submit(ref third);
        ring.Discard(ref second);
        Assert.Empty(ring.TakeAll());                        // the first still holds the others back
        ring.Submit(ref first);
        Assert.Equal([1, 3], ring.TakeAll<int>());
    }

    [Fact]
    public void Space_is_accounted_with_headers_and_8_byte_rounding()
    {
        var ring = new RingBuffer(sizeBytes: 4096);
        // Each 12-byte record takes 8 (header) + 16 = 24 bytes: 170 fit in 4096 (4080), the 171st does not.
        for (int i = 0; i < 170; i++) Assert.Equal(0, ring.Output(new byte[12]));
        Assert.Equal(-Errno.EAGAIN, ring.Output(new byte[12]));
        ref long last = ref ring.Reserve<long>();            // 8 + 8 = 16 bytes: exactly the rest
        Assert.False(Unsafe.IsNullRef(ref last));
        Assert.True(Unsafe.IsNullRef(ref ring.Reserve<byte>()));
        ring.Discard(ref last);                              // a discarded record holds space until consumed
        Assert.Equal(4096UL, ring.Query(RingBufferQuery.AvailableData));
        Assert.True(ring.TryTake(out byte[] record));
        Assert.Equal(12, record.Length);
        Assert.Equal(0, ring.Output(new byte[12]));           // consuming freed space
        Assert.Equal(4096UL, ring.Query(RingBufferQuery.RingSize));
        Assert.Equal(4096UL + 24, ring.Query(RingBufferQuery.ProducerPosition));
        Assert.Equal(24UL, ring.Query(RingBufferQuery.ConsumerPosition));
        Assert.Equal(170, ring.TakeAll().Count);              // 169 + the new one; the discarded is skipped
    }

    [Fact]
    public void The_consumer_is_woken_when_it_has_caught_up_unless_told_otherwise()
    {
        var ring = new RingBuffer(sizeBytes: 4096);
        ring.Output(1);                                      // consumer at this record: wake
        ring.Output(2);                                      // consumer still behind: no wake
        ring.Output(3, RingBufferFlags.ForceWakeup);
        ring.TakeAll();
        ring.Output(4, RingBufferFlags.NoWakeup);
        Assert.Equal(2, ring.Notifications);
    }

    [Fact]
    public void Submitting_something_not_reserved_is_an_error()
    {
        var ring = new RingBuffer(sizeBytes: 4096);
        int local = 0;
        Assert.Throws<InvalidOperationException>(() => ring.Submit(ref local));
        var twice = Assert.Throws<InvalidOperationException>(() =>
        {
            ref int record = ref ring.Reserve<int>();
            ring.Submit(ref record);
            ring.Submit(ref record);
        });
        Assert.Contains("not an outstanding reservation", twice.Message);
    }

    [Theory]
    [InlineData(1000u)]
    [InlineData(2048u)]
    [InlineData(12288u)]
    public void Sizes_must_be_page_multiples_and_powers_of_two(uint size)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RingBuffer(sizeBytes: size));
        Assert.Contains("power of two", error.Message);
    }
}
