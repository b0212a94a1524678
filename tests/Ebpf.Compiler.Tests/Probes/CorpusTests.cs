using System.Reflection;
using System.Text.RegularExpressions;
using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Object;
using Ebpf.Rules.Model;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Probes;

/// <summary>The probe corpus (tests/Ebpf.Compiler.Tests/Corpus): small probes covering every program kind and map
/// type. Each is compiled by our compiler, loaded by our runtime and by libbpf (<c>bpftool prog loadall</c>), and
/// given a skeleton by <c>bpftool gen skeleton</c>; XDP probes also run under BPF_PROG_TEST_RUN and on .NET
/// with the same verdicts. The probes in Corpus/LockedDown are fentry, fexit and LSM programs, which this
/// kernel refuses with EPERM (iterators and tp_btf, also BTF-attached, load): their tests assert exactly that.</summary>
public class CorpusTests
{
    static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "Corpus");

    static List<string> LoadableNames => Names(CorpusDirectory);
    static List<string> LockedDownNames => Names(Path.Combine(CorpusDirectory, "LockedDown"));

    public static TheoryData<string> Loadable() => new(LoadableNames);
    public static TheoryData<string> LockedDown() => new(LockedDownNames);

    static List<string> Names(string directory)
        => Directory.GetFiles(directory, "*.cs").Order().Select(f => Path.GetFileNameWithoutExtension(f)!).ToList();

    static string PathOf(string name)
        => File.Exists(Path.Combine(CorpusDirectory, name + ".cs")) ? Path.Combine(CorpusDirectory, name + ".cs") : Path.Combine(CorpusDirectory, "LockedDown", name + ".cs");

    static ObjectSpec Compile(string name)
    {
        var result = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (File.ReadAllText(PathOf(name)), name + ".cs") });
        Assert.True(result.Success, $"{name}:\n" + string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }

    [Fact]
    public void The_corpus_has_sixty_probes_covering_every_program_kind_and_map_type()
    {
        var names = LoadableNames.Concat(LockedDownNames).ToList();
        Assert.True(names.Count >= 60, $"{names.Count} probes");
        var specs = names.Select(Compile).ToList();
        var sections = specs.SelectMany(s => s.Programs).Where(p => !p.IsSubprogram).Select(p => p.SectionName).ToList();
        foreach (var kind in ProgramKinds.All)
            foreach (var hook in kind.Hooks)
                Assert.True(sections.Any(s => s == hook.Section || s.StartsWith(hook.Section + "/", StringComparison.Ordinal)),
                    $"no corpus probe has a {kind.DisplayName} program in section {hook.Section}");
        var mapTypes = specs.SelectMany(s => s.Maps).Select(m => (uint)m.Type).ToHashSet();
        var apiMapTypes = typeof(Ebpf.BpfMap).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<Ebpf.BpfMapAttribute>()).Where(a => a is not null).Select(a => (uint)a!.Type).Distinct();
        foreach (var type in apiMapTypes)
            Assert.True(mapTypes.Contains(type), $"no corpus probe defines a map of type {MapKinds.KernelName((Ebpf.Object.MapType)type)}");
    }

    [SkippableTheory]
    [MemberData(nameof(Loadable))]
    public void Probe_loads_in_our_runtime_and_in_libbpf_and_gets_a_skeleton(string name)
    {
        Kernel.RequireBpf();
        var spec = Compile(name);
        using (var collection = Collection.Load(spec))
            Assert.Equal(spec.Programs.Count(p => !p.IsSubprogram), collection.Programs.Count);

        var bpftool = ExternalTool.Require("bpftool");
        WithObject(spec, name, (obj, pinDir) =>
        {
            var load = ExternalTool.Run(bpftool, "prog", "loadall", obj, pinDir);
            var libbpf = InstalledLibbpf(bpftool);
            var newer = spec.Programs.Where(p => !p.IsSubprogram && ProgramSections.LibbpfVersion(p.SectionName) is { } v && v > libbpf).ToList();
            if (newer.Count == 0)
                Assert.True(load.ExitCode == 0, $"bpftool prog loadall failed:\n{load.Combined}");
            else
                // The installed libbpf predates these sections (tcx, netfilter: libbpf 1.3); it must refuse, not misload.
                Assert.True(load.ExitCode != 0 && newer.Any(p => load.Combined.Contains($"section '{p.SectionName}'")),
                    $"libbpf {libbpf} should refuse {string.Join(", ", newer.Select(p => p.SectionName))}:\n{load.Combined}");
            var skeleton = ExternalTool.Run(bpftool, "gen", "skeleton", obj);
            Assert.True(skeleton.ExitCode == 0, $"bpftool gen skeleton failed:\n{skeleton.Combined}");
        });
    }

    [SkippableTheory]
    [MemberData(nameof(LockedDown))]
    public void Fentry_fexit_lsm_probe_gets_EPERM_from_our_runtime_and_libbpf_on_this_kernel(string name)
    {
        Kernel.RequireBpf();
        var spec = Compile(name);
        var error = Record.Exception(() => Collection.Load(spec).Dispose());
        Assert.NotNull(error);
        var errnos = Chain(error).OfType<BpfException>().Select(e => e.Errno).ToList();
        Assert.True(errnos.Contains(1), $"expected EPERM, got: {error}");

        var bpftool = ExternalTool.Require("bpftool");
        WithObject(spec, name, (obj, pinDir) =>
        {
            var load = ExternalTool.Run(bpftool, "prog", "loadall", obj, pinDir);
            Assert.True(load.ExitCode != 0 && (load.Combined.Contains("-EPERM") || load.Combined.Contains("Operation not permitted") || load.Combined.Contains("-1\n")),
                $"expected libbpf to fail with EPERM:\n{load.Combined}");
            var skeleton = ExternalTool.Run(bpftool, "gen", "skeleton", obj);
            Assert.True(skeleton.ExitCode == 0, $"bpftool gen skeleton failed:\n{skeleton.Combined}");
        });
    }

    public static TheoryData<string> XdpProbes()
        => new(LoadableNames.Where(name => File.ReadAllText(PathOf(name)).Contains("[Xdp]")));

    [SkippableTheory]
    [MemberData(nameof(XdpProbes))]
    public void Xdp_probe_gives_the_dotnet_verdicts_under_test_run(string name)
    {
        Kernel.RequireBpf();
        var source = File.ReadAllText(PathOf(name));
        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(source, name + ".cs")).GetType(name)!;
        using var probe = LoadedProbe.Load(source, name + ".cs");
        var packet = new byte[64];
        for (int i = 0; i < packet.Length; i++) packet[i] = (byte)(i * 7);
        foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public).Where(m => m.GetCustomAttribute<Ebpf.XdpAttribute>() is not null))
        {
            var program = method.CreateDelegate<Func<Ebpf.XdpContext, Ebpf.XdpAction>>();
            for (int run = 0; run < 3; run++)
            {
                using var managed = new Ebpf.XdpPacket(packet);
                var expected = Ebpf.BpfProgram.Run(program, managed.Context);
                Assert.Equal((uint)expected, probe.RunXdp(method.Name, packet));
            }
        }
    }

    static void WithObject(ObjectSpec spec, string name, Action<string, string> use)
    {
        var dir = Directory.CreateTempSubdirectory("corpus-").FullName;
        var pinDir = $"/sys/fs/bpf/corpus-{name}-{Environment.ProcessId}";
        try
        {
            var obj = Path.Combine(dir, name + ".bpf.o");
            ElfObjectWriter.WriteFile(spec, obj);
            use(obj, pinDir);
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    static Version? _libbpf;

    /// <summary>The libbpf bpftool is built with (<c>using libbpf v1.1</c>).</summary>
    static Version InstalledLibbpf(string bpftool)
    {
        if (_libbpf is not null) return _libbpf;
        var version = ExternalTool.Run(bpftool, "version").Combined;
        var match = Regex.Match(version, @"libbpf v(\d+)\.(\d+)");
        Assert.True(match.Success, $"no libbpf version in:\n{version}");
        return _libbpf = new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }
}
