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

    [Fact]
    public void Bpftool_btf_dump_shows_the_programs_and_the_map_types()
    {
        var counter = ExternalTool.Run(ExternalTool.Require("bpftool"), "btf", "dump", "file", SampleObjects.WriteToTemp("OpenCounter"));
        Assert.True(counter.ExitCode == 0, counter.Combined);
        Assert.Matches(@"FUNC 'OnOpenat' type_id=\d+ linkage=global", counter.StdOut);
        Assert.Contains("DATASEC '.maps'", counter.StdOut);
        Assert.Contains("VAR 'Counts'", counter.StdOut);
        Assert.Contains("STRUCT 'SysEnterOpenatArgs'", counter.StdOut);

        var filter = ExternalTool.Run(ExternalTool.Require("bpftool"), "btf", "dump", "file", SampleObjects.WriteToTemp("XdpFilter"), "format", "c");
        Assert.True(filter.ExitCode == 0, filter.Combined);
        // The map definitions name their key and value types, as libbpf's __type(key, ...) does.
        Assert.Matches(@"struct \{[^}]*\*key;[^}]*\*value;[^}]*\} BlockedPorts", filter.StdOut.Replace("\n", " "));
        Assert.Matches(@"int \(\*max_entries\)\[1024\]", filter.StdOut);
    }
}
