namespace Ebpf.Object.Tests;

/// <summary>Objects embedded as manifest resources (as the build embeds &lt;Class&gt;.bpf.o).</summary>
public class EmbeddedObjectTests
{
    [Fact]
    public void A_missing_resource_is_one_clear_line()
    {
        var e = Assert.Throws<ObjectFormatException>(() => ElfObjectReader.ReadEmbedded(typeof(EmbeddedObjectTests).Assembly, "Missing.bpf.o"));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("Missing.bpf.o: no such embedded resource in Ebpf.Object.Tests", e.Message);
    }
}
