namespace Ebpf.Runtime.Events;

/// <summary>The memory of a BPF ring as the kernel lays it out for ringbuf and user_ringbuf alike: the consumer
/// position's page at offset 0 and, one page in, the producer position's page followed by the data area mapped twice
/// (a record that wraps reads as one span). User space may map writable only the side whose position it moves: the
/// consumer page when it reads a ringbuf, the producer page and data when it writes a user_ringbuf; the kernel refuses
/// the other writable mapping (EPERM).</summary>
internal static unsafe class RingMemory
{
    public static nuint PageSize => (nuint)Environment.SystemPageSize;

    /// <summary>Maps both sides of the ring behind <paramref name="fd"/>; <paramref name="ring"/> names it in errors.</summary>
    public static void Map(int fd, ulong dataSize, bool userSpaceProduces, string ring, out byte* consumerPage, out byte* producerPage)
    {
        var consumer = EventNative.Map(fd, PageSize, userSpaceProduces ? EventNative.ProtRead : EventNative.ProtRead | EventNative.ProtWrite, 0,
            $"map the consumer page of {ring}");
        try
        {
            var producer = EventNative.Map(fd, ProducerMappingSize(dataSize),
                userSpaceProduces ? EventNative.ProtRead | EventNative.ProtWrite : EventNative.ProtRead, (long)PageSize,
                $"map the producer page and data of {ring}");
            consumerPage = consumer;
            producerPage = producer;
        }
        catch
        {
            EventNative.Unmap(consumer, PageSize);
            throw;
        }
    }

    public static void Unmap(byte* consumerPage, byte* producerPage, ulong dataSize)
    {
        EventNative.Unmap(producerPage, ProducerMappingSize(dataSize));
        EventNative.Unmap(consumerPage, PageSize);
    }

    static nuint ProducerMappingSize(ulong dataSize) => PageSize + 2 * (nuint)dataSize;
}
