namespace Ebpf.Tests.Maps;

public class QueueStackTests
{
    [Fact]
    public void A_queue_is_first_in_first_out()
    {
        var queue = new QueueMap<int>(maxEntries: 3);
        for (int i = 1; i <= 3; i++) Assert.Equal(0, queue.Push(i));
        Assert.Equal(-Errno.E2BIG, queue.Push(4));
        Assert.Equal(0, queue.Push(4, MapUpdate.Exist));   // replaces the oldest
        Assert.Equal([2, 3, 4], queue);
        Assert.Equal(0, queue.Peek(out int head));
        Assert.Equal(2, head);
        Assert.Equal(0, queue.Pop(out int popped));
        Assert.Equal(2, popped);
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void A_stack_is_last_in_first_out()
    {
        var stack = new StackMap<int>(maxEntries: 3);
        for (int i = 1; i <= 3; i++) Assert.Equal(0, stack.Push(i));
        Assert.Equal(0, stack.Push(4, MapUpdate.Exist));   // drops the oldest (bottom) value
        Assert.Equal([4, 3, 2], stack);
        Assert.Equal(0, stack.Pop(out int top));
        Assert.Equal(4, top);
    }

    [Fact]
    public void Empty_pops_and_peeks_are_ENOENT_with_a_zeroed_value()
    {
        var queue = new QueueMap<long>(maxEntries: 1);
        var stack = new StackMap<long>(maxEntries: 1);
        long value = 99;
        Assert.Equal(-Errno.ENOENT, queue.Pop(out value));
        Assert.Equal(0, value);
        Assert.Equal(-Errno.ENOENT, stack.Peek(out value));
        Assert.Equal(0, value);
    }

    [Fact]
    public void Push_takes_only_any_or_exist()
    {
        Assert.Equal(-Errno.EINVAL, new QueueMap<int>(maxEntries: 1).Push(1, MapUpdate.NoExist));
        Assert.Equal(-Errno.EINVAL, new StackMap<int>(maxEntries: 1).Push(1, MapUpdate.Lock));
    }
}
