namespace Ebpf.Runtime.Tests.Links;

public class IteratorAndAutoAttachTests
{
    static readonly Lazy<string> ObjectPath = new(() =>
        ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", "iter.bpf.c")));

    [SkippableFact]
    public void Task_iterator_output_is_read_as_a_stream_once_per_walk()
    {
        Kernel.RequireBpf();
        using var c = Collection.LoadFile(ObjectPath.Value);
        using var link = c.GetProgram("dump_tasks").AttachIterator();
        Assert.Equal(LinkType.Iter, link.GetInfo().Type);
        for (int walk = 0; walk < 2; walk++)
        {
            using var stream = link.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var seqs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer.ToArray()).ToArray();
            Assert.True(seqs.Length > 10, $"only {seqs.Length} tasks");                   // this process alone has more threads
            Assert.Equal(Enumerable.Range(0, seqs.Length).Select(i => (ulong)i), seqs);
        }
    }

    [SkippableFact]
    public void Attach_all_attaches_programs_with_targets_and_lists_the_rest()
    {
        Kernel.RequireTracefs();
        using var c = Collection.LoadFile(ObjectPath.Value);
        using (var links = c.AttachAll())
        {
            Assert.Equal(2, links.Links.Count);                                           // the iterator and the tracepoint
            Assert.Equal(["pass"], links.NotAttached);
            for (int i = 0; i < 5; i++) Native.GetParentPid();
        }
        ulong calls = c.ReadVariable<ulong>("calls");
        Assert.True(calls >= 5, $"{calls} calls counted");
    }
}
