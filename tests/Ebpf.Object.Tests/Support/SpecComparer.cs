using Ebpf.Btf;

namespace Ebpf.Object.Tests.Support;

/// <summary>Asserts two ObjectSpecs are equal field by field; BTF is compared as printed graphs and
/// BTF-typed fields by the id of their type.</summary>
public static class SpecComparer
{
    public static void Equal(ObjectSpec expected, ObjectSpec actual)
    {
        Assert.Equal(expected.License, actual.License);
        Assert.Equal(expected.KernelVersion, actual.KernelVersion);
        Assert.Equal(expected.Btf == null, actual.Btf == null);
        var eb = expected.Btf;
        var ab = actual.Btf;
        if (eb != null && ab != null) Assert.Equal(BtfDump.Format(eb), BtfDump.Format(ab));

        Assert.Equal(expected.Programs.Select(p => p.Name).OrderBy(n => n), actual.Programs.Select(p => p.Name).OrderBy(n => n));
        foreach (var e in expected.Programs)
        {
            var a = actual.Programs.Single(p => p.Name == e.Name);
            Assert.Equal((e.SectionName, e.Type, e.ExpectedAttachType, e.AttachTarget), (a.SectionName, a.Type, a.ExpectedAttachType, a.AttachTarget));
            Assert.Equal(e.Instructions, a.Instructions);
            Assert.Equal(e.Relocations, a.Relocations);
            Assert.Equal(e.LineInfos, a.LineInfos);
            Assert.Equal(e.FuncInfos.Select(f => (f.InstructionOffset, Id(eb, f.Func))), a.FuncInfos.Select(f => (f.InstructionOffset, Id(ab, f.Func))));
        }
        Assert.Equal(expected.Maps.Count, actual.Maps.Count);
        for (int i = 0; i < expected.Maps.Count; i++)
        {
            var e = expected.Maps[i];
            var a = actual.Maps[i];
            Assert.Equal((e.Name, e.Type, e.KeySize, e.ValueSize, e.MaxEntries, e.Flags, e.Pinning), (a.Name, a.Type, a.KeySize, a.ValueSize, a.MaxEntries, a.Flags, a.Pinning));
            Assert.Equal(Id(eb, e.KeyType), Id(ab, a.KeyType));
            Assert.Equal(Id(eb, e.ValueType), Id(ab, a.ValueType));
            Assert.Equal(Id(eb, e.BtfVar), Id(ab, a.BtfVar));
        }
        Assert.Equal(expected.DataSections.Count, actual.DataSections.Count);
        for (int i = 0; i < expected.DataSections.Count; i++)
        {
            var e = expected.DataSections[i];
            var a = actual.DataSections[i];
            Assert.Equal((e.Name, e.Size), (a.Name, a.Size));
            Assert.Equal(e.Contents, a.Contents);
            Assert.Equal(Id(eb, e.BtfDatasec), Id(ab, a.BtfDatasec));
        }
    }

    static int Id(BtfSpec? btf, BtfType? t) => t == null ? -1 : btf!.IdOf(t);
}
