using System.Buffers.Binary;
using Ebpf.Btf.Tests.Support;

namespace Ebpf.Btf.Tests;

public class BtfMalformedInputTests
{
    static byte[] Sample() => new SampleTypes().NewBuilder().Build().RawBytes;

    [Fact]
    public void Every_truncation_is_a_BtfFormatException_with_one_line()
    {
        var raw = Sample();
        for (int len = 0; len < raw.Length; len++)
        {
            var ex = Assert.Throws<BtfFormatException>(() => BtfSpec.Parse(raw.AsSpan(0, len)));
            Assert.DoesNotContain('\n', ex.Message);
            Assert.StartsWith("invalid BTF: ", ex.Message);
        }
    }

    [Fact]
    public void Random_corruption_never_escapes_as_another_exception()
    {
        var raw = Sample();
        var rng = new Random(1234);
        int rejected = 0;
        for (int round = 0; round < 3000; round++)
        {
            var copy = (byte[])raw.Clone();
            int flips = 1 + rng.Next(4);
            for (int i = 0; i < flips; i++) copy[24 + rng.Next(copy.Length - 24)] ^= (byte)(1 << rng.Next(8));
            try
            {
                var spec = BtfSpec.Parse(copy);
                _ = BtfDump.Format(spec);
            }
            catch (BtfFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                rejected++;
            }
        }
        Assert.True(rejected > 0, "no corruption was detected at all");
    }

    [Fact]
    public void Bad_magic_is_named()
    {
        var raw = Sample();
        raw[0] = 0x12;
        Assert.Equal("invalid BTF: bad magic 0xeb12 (expected 0xeb9f)", Assert.Throws<BtfFormatException>(() => BtfSpec.Parse(raw)).Message);
    }

    [Fact]
    public void Reference_to_a_missing_type_is_named()
    {
        var b = new BtfBuilder();
        b.Add(new BtfPointer(new BtfInt("int", 4, true)));
        var raw = b.Build().RawBytes;
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(24 + 8), 77);
        Assert.Equal("invalid BTF: type [1] Pointer refers to type [77], but only 2 types exist",
            Assert.Throws<BtfFormatException>(() => BtfSpec.Parse(raw)).Message);
    }

    [Fact]
    public void Pointer_cycle_without_a_struct_is_rejected_not_overflowing_the_stack()
    {
        var b = new BtfBuilder();
        b.Add(new BtfPointer(new BtfInt("int", 4, true)));
        var raw = b.Build().RawBytes;
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(24 + 8), 1);   // [1] PTR -> [1]
        var ex = Assert.Throws<BtfFormatException>(() => BtfSpec.Parse(raw));
        Assert.Contains("cycle", ex.Message);
    }

    [Fact]
    public void String_offset_outside_the_string_section_is_named()
    {
        var b = new BtfBuilder();
        b.Add(new BtfInt("int", 4, true));
        var raw = b.Build().RawBytes;
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(24), 999);
        Assert.Equal("invalid BTF: type [1] uses string offset 999 outside the 5-byte string section",
            Assert.Throws<BtfFormatException>(() => BtfSpec.Parse(raw)).Message);
    }

    [Fact]
    public void Unknown_kind_is_named()
    {
        var b = new BtfBuilder();
        b.Add(new BtfInt("int", 4, true));
        var raw = b.Build().RawBytes;
        raw[24 + 7] = 25;   // kind 25
        Assert.Equal("invalid BTF: type [1] at byte 24 has unknown kind 25", Assert.Throws<BtfFormatException>(() => BtfSpec.Parse(raw)).Message);
    }

    [Fact]
    public void Missing_file_is_one_line_naming_it()
    {
        var ex = Assert.Throws<BtfFormatException>(() => BtfSpec.ParseFile("/nonexistent/vmlinux"));
        Assert.StartsWith("/nonexistent/vmlinux: cannot read BTF:", ex.Message);
    }
}
