using System.Text.RegularExpressions;
using Ebpf.Abi;
using Ebpf.Object;
using Ebpf.TestSupport;
using Ebpf.Tools.GenHelpers;

namespace Ebpf.Compiler.Tests.Abi;

/// <summary>The ABI table is what its generator makes of the checked-in inputs, and its facts hold.</summary>
public class HelperTableTests
{
    [Fact]
    public void The_generated_files_are_what_the_generator_makes_of_bpf_h_and_the_probe_data()
    {
        var outputs = Generator.Generate(RepositoryInputs.Read(RepoPaths.Root, "/usr/include/linux/bpf.h"));
        foreach (var (path, text) in outputs)
            Assert.True(File.ReadAllText(RepoPaths.Combine(path)) == text,
                $"{path} is not what tools/gen-helpers generates: run `dotnet run --project tools/gen-helpers`");
    }

    [Fact]
    public void Every_helper_of_the_header_is_in_the_table_with_its_id_and_prototype()
    {
        var header = UapiHeader.Parse(File.ReadAllText("/usr/include/linux/bpf.h"));
        Assert.Equal(header.Select(h => h.Id), HelperTable.All.Select(h => h.Id));
        Assert.Equal("bpf_map_lookup_elem", HelperTable.Find(1)!.Name);
        Assert.Equal(new[] { HelperValueKind.Map, HelperValueKind.Pointer }, HelperTable.Find(1)!.Arguments);
        Assert.Equal(HelperValueKind.Pointer, HelperTable.Find(1)!.Returns);
    }

    [Fact]
    public void No_helper_id_has_both_a_hand_written_and_a_generated_method_and_every_hand_written_id_is_in_the_table()
    {
        var attribute = new Regex(@"\[(?:BpfHelper|MapHelper)\((\d+)(?:, [^)\]]*)?\)\]");
        var files = Directory.GetFiles(RepoPaths.Combine("src", "Ebpf"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/")).ToList();
        int[] Ids(IEnumerable<string> paths) => paths.SelectMany(p => attribute.Matches(File.ReadAllText(p))).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        var generated = Ids(files.Where(f => f.EndsWith(".g.cs")));
        var handWritten = Ids(files.Where(f => !f.EndsWith(".g.cs")));
        Assert.Empty(generated.Intersect(handWritten));
        Assert.Equal(generated.Length, generated.Distinct().Count());
        Assert.All(handWritten.Concat(generated), id => Assert.NotNull(HelperTable.Find(id)));
        // Every header helper without a callback or variadic argument is callable as a Bpf.* method.
        var callable = handWritten.Concat(generated).ToHashSet();
        var missing = HelperTable.All.Where(h => !callable.Contains(h.Id) && !h.Arguments.Contains(HelperValueKind.Callback) && !h.Prototype.Contains("...")).Select(h => h.Name).ToList();
        Assert.True(missing.Count == 0, "no Bpf.* method for " + string.Join(", ", missing));
    }

    [Fact]
    public void Facts_from_the_kernels_and_the_documents()
    {
        var probeReadKernel = HelperTable.Find(113)!;
        Assert.Equal("bpf_probe_read_kernel", probeReadKernel.Name);
        Assert.True(probeReadKernel.GplOnly);
        Assert.Equal(new KernelVersion(5, 5), probeReadKernel.FirstKernel);
        Assert.False(HelperTable.Find(5)!.GplOnly); // ktime_get_ns
        Assert.True(HelperTable.Find(6)!.GplOnly);  // trace_printk
        Assert.Equal(new KernelVersion(6, 1), HelperTable.Find(5)!.AvailableSince(ProgramType.Xdp));
        Assert.Equal(new KernelVersion(6, 12), HelperTable.Find(14)!.AvailableSince(ProgramType.Xdp)); // get_current_pid_tgid
        Assert.Null(HelperTable.Find(160)!.AvailableSince(ProgramType.Tracepoint)); // ktime_get_coarse_ns
        Assert.False(HelperTable.IsProbed(ProgramType.Tracing)); // needs an attach target to load
        Assert.Equal(new KernelVersion(5, 8), MapTypes.FirstKernel(Ebpf.Object.MapType.RingBuf));
        Assert.Equal(new KernelVersion(6, 6), AttachTypes.FirstKernel(AttachType.TcxIngress));
        Assert.Equal(new KernelVersion(4, 8), ProgramTypes.FirstKernel(ProgramType.Xdp));
        Assert.Equal(new KernelVersion(6, 6), IsaFeatures.FirstKernel(IsaFeature.SignedDivision));
    }

    [Theory]
    [InlineData("6.1", 6, 1)]
    [InlineData("6.12.118+deb12-cloud-amd64", 6, 12)]
    [InlineData(" 5.10 ", 5, 10)]
    public void Kernel_versions_parse_and_compare(string text, int major, int minor)
    {
        var version = KernelVersion.Parse(text);
        Assert.Equal(new KernelVersion(major, minor), version);
        Assert.True(new KernelVersion(6, 1) < new KernelVersion(6, 12));
        Assert.True(new KernelVersion(5, 10) > new KernelVersion(5, 9));
        Assert.False(KernelVersion.TryParse("6", out _));
        Assert.False(KernelVersion.TryParse("six.one", out _));
    }

    [Theory]
    [InlineData("GPL", true)]
    [InlineData("GPL v2", true)]
    [InlineData("Dual BSD/GPL", true)]
    [InlineData("Dual MIT/GPL", true)]
    [InlineData("Dual MPL/GPL", true)]
    [InlineData("GPL and additional rights", true)]
    [InlineData("MIT", false)]
    [InlineData("Apache-2.0", false)]
    [InlineData("gpl", false)]
    public void Licenses_count_as_GPL_as_the_kernel_counts_them(string license, bool compatible) =>
        Assert.Equal(compatible, KernelLicense.IsGplCompatible(license));
}
