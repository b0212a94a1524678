using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Integration.Tests;

/// <summary>The samples' objects checked by tools we did not write (libbpf through bpftool, LLVM)
/// and by the kernel verifier through our own loader.</summary>
public sealed class SampleObjectFileTests
{
    public static TheoryData<string, string[]> Samples => new()
    {
        { "OpenCounter", ["OnOpenat"] },
        { "XdpFilter", ["Filter"] },
    };

    [SkippableTheory]
    [MemberData(nameof(Samples))]
    public void Bpftool_loadall_accepts_the_object(string sample, string[] programs)
    {
        Kernel.RequireTracefs();
        var obj = SampleObjects.WriteToTemp(sample);
        var pinDir = $"/sys/fs/bpf/ebpf-test-{sample.ToLowerInvariant()}-{Environment.ProcessId}";
        try
        {
            var result = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "loadall", obj, pinDir);
            Assert.True(result.ExitCode == 0, $"bpftool prog loadall failed:\n{result.Combined}");
            foreach (var program in programs)
                Assert.True(File.Exists(Path.Combine(pinDir, program)), $"program {program} not pinned by bpftool; pinned: {string.Join(", ", Directory.GetFiles(pinDir))}");
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Samples))]
    public void Our_loader_gets_the_object_through_the_verifier(string sample, string[] programs)
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(SampleObjects.Compile(sample).Spec, new CollectionOptions { ObjectName = sample });
        Assert.Equal(programs.Order(), collection.Programs.Keys.Order());
        Assert.NotNull(collection.Btf);  // the kernel accepted our BTF, so func_info/line_info were loaded too
        Assert.Empty(collection.Warnings);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Llvm_objdump_disassembles_every_program(string sample, string[] programs)
    {
        var obj = SampleObjects.WriteToTemp(sample);
        var result = ExternalTool.Run(ExternalTool.Require("llvm-objdump"), "-d", "-r", obj);
        Assert.True(result.ExitCode == 0 && !result.StdErr.Contains("error", StringComparison.OrdinalIgnoreCase), result.Combined);
        Assert.DoesNotContain("<unknown>", result.StdOut);
        foreach (var program in programs) Assert.Contains($"<{program}>:", result.StdOut);
    }

    [Theory]
    [InlineData("OpenCounter", "OnOpenat", "Counts", 10240, "unsigned int", "unsigned long")]
    [InlineData("XdpFilter", "Filter", "BlockedPorts", 1024, "unsigned short", "unsigned char")]
    [InlineData("XdpFilter", "Filter", "Stats", 2, "unsigned int", "unsigned long")]
    public void Bpftool_btf_dump_shows_the_program_and_the_map_key_and_value_types(
        string sample, string program, string map, int maxEntries, string keyType, string valueType)
    {
        var dump = ExternalTool.Run(ExternalTool.Require("bpftool"), "btf", "dump", "file", SampleObjects.WriteToTemp(sample));
        Assert.True(dump.ExitCode == 0, dump.Combined);
        var btf = RawBtfDump.Parse(dump.StdOut);
        Assert.Matches($@"^FUNC '{program}' type_id=\d+ linkage=global$", btf.Line(btf.IdOf("FUNC", program)));
        // .maps DATASEC -> VAR -> the libbpf map-definition struct: __type(key, K), __type(value, V), __uint(max_entries, N).
        Assert.Contains(btf.Members(btf.IdOf("DATASEC", ".maps")), member => member.EndsWith($"(VAR '{map}')"));
        int definition = btf.TypeOf(btf.IdOf("VAR", map));
        Assert.Equal($"INT '{keyType}'", btf.KindAndName(btf.TypeOf(btf.MemberType(definition, "key"))));
        Assert.Equal($"INT '{valueType}'", btf.KindAndName(btf.TypeOf(btf.MemberType(definition, "value"))));
        Assert.Contains($"nr_elems={maxEntries}", btf.Line(btf.TypeOf(btf.MemberType(definition, "max_entries"))));
    }
}

/// <summary>Just enough of bpftool's raw BTF dump (<c>[id] KIND 'name' ...</c> lines, members indented) to follow type ids.</summary>
sealed class RawBtfDump
{
    readonly Dictionary<int, (string Line, List<string> Members)> _types = new();

    public static RawBtfDump Parse(string text)
    {
        var dump = new RawBtfDump();
        List<string>? members = null;
        foreach (var line in text.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^\[(\d+)\] (.*)$");
            if (m.Success) { members = new(); dump._types[int.Parse(m.Groups[1].Value)] = (m.Groups[2].Value, members); }
            else if (line.StartsWith('\t') && members != null) members.Add(line.Trim());
        }
        return dump;
    }

    public string Line(int id) => _types[id].Line;
    public IReadOnlyList<string> Members(int id) => _types[id].Members;
    public int IdOf(string kind, string name) => _types.Single(t => t.Value.Line.StartsWith($"{kind} '{name}'")).Key;
    public string KindAndName(int id) => System.Text.RegularExpressions.Regex.Match(Line(id), @"^\w+ '[^']*'").Value;
    /// <summary>The type_id of a PTR/VAR/FUNC/ARRAY line.</summary>
    public int TypeOf(int id) => int.Parse(System.Text.RegularExpressions.Regex.Match(Line(id), @"type_id=(\d+)").Groups[1].Value);
    /// <summary>The type_id of member <paramref name="member"/> of the struct <paramref name="structId"/>.</summary>
    public int MemberType(int structId, string member) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(Members(structId).Single(l => l.StartsWith($"'{member}'")), @"type_id=(\d+)").Groups[1].Value);
}
