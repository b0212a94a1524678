using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Ebpf.Runtime.Tests.Reference;

/// <summary>clang-compiled objects (the C next to this file, built in the test) read by ElfObjectReader and loaded by
/// our loader: behaviour checked on the kernel, and the loaded code compared with what libbpf (bpftool) loads.</summary>
public partial class ReferenceObjectTests(ITestOutputHelper output)
{
    static string Compile(string name) =>
        ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", name + ".bpf.c"));

    static void CallGetppid(int times)
    {
        for (int i = 0; i < times; i++) Native.GetParentPid();
    }

    [SkippableFact]
    public void Clang_object_with_maps_globals_and_sub_programs_loads_and_counts()
    {
        Kernel.RequireTracefs();
        var path = Compile("counter");
        var spec = ElfObjectReader.ReadFile(path);
        spec.SetVariable("target_tgid", (uint)Environment.ProcessId);
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "counter" });
        using (var byFile = Collection.LoadFile(path))                     // named from the file, as libbpf does
            Assert.Equal("counter.bss", byFile.GetMap(".bss").GetInfo().Name);
        Assert.Empty(collection.Warnings);

        var program = collection.GetProgram("on_getppid");
        var info = program.GetInfo();
        Assert.Equal(3u, info.FuncInfoCount);                              // on_getppid, is_target, add_scaled
        Assert.Equal((uint)program.Code.LineInfos.Count, info.LineInfoCount);
        Assert.Equal("counter.rodata", collection.GetMap(".rodata").GetInfo().Name);

        using (program.Attach())
        {
            CallGetppid(10);
        }
        Assert.Equal(10UL, collection.GetMap<uint, ulong>("counts")[(uint)Environment.ProcessId]);
        Assert.Equal(30UL, collection.ReadVariable<ulong>("hits"));        // add_scaled adds .data's scale = 3 per call
    }

    [SkippableFact]
    public void Our_loaded_code_is_the_code_libbpf_loads()
    {
        Kernel.RequireBpf();
        var path = Compile("counter");
        string pinDir = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-ref-libbpf-{Environment.ProcessId}");
        using var collection = Collection.Load(ElfObjectReader.ReadFile(path), new CollectionOptions { ObjectName = "counter" });
        var bpftool = ExternalTool.Require("bpftool");
        var loadall = ExternalTool.Run(bpftool, "prog", "loadall", path, pinDir);
        try
        {
            Assert.True(loadall.ExitCode == 0, loadall.Combined);
            var theirs = ExternalTool.Run(bpftool, "prog", "dump", "xlated", "pinned", Path.Combine(pinDir, "on_getppid"));
            var ours = ExternalTool.Run(bpftool, "prog", "dump", "xlated", "id", collection.GetProgram("on_getppid").GetInfo().Id.ToString());
            Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Combined + ours.Combined);
            output.WriteLine(ours.StdOut);
            Assert.Contains("call pc+", ours.StdOut);                    // sub-programs appended and called
            Assert.Equal(NormalizeXlated(theirs.StdOut), NormalizeXlated(ours.StdOut));
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
        }
    }

    /// <summary>Map ids and kernel addresses differ between two loads; everything else must not.</summary>
    static string NormalizeXlated(string xlated)
        => MapId().Replace(KernelAddress().Replace(xlated, "0xADDR"), "map[id:N]");

    [GeneratedRegex(@"map\[id:\d+\]")]
    private static partial Regex MapId();

    [GeneratedRegex(@"0x[0-9a-f]{16}")]
    private static partial Regex KernelAddress();

    [SkippableFact]
    public void Clang_CO_RE_relocations_are_resolved_against_the_running_kernel()
    {
        Kernel.RequireBpf();
        var spec = ElfObjectReader.ReadFile(Compile("core"));
        Assert.NotEmpty(spec.Programs.Single(p => p.Name == "core_probe").CoreRelocations);
        spec.SetVariable("target_tgid", Environment.ProcessId);
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "core" });
        using (collection.GetProgram("core_probe").Attach())
        {
            CallGetppid(1);
        }
        // The local struct puts tgid at 4 and real_parent at 8; the kernel's task_struct does not.
        Assert.Equal(Environment.ProcessId, collection.ReadVariable<int>("seen_tgid"));
        Assert.Equal(Native.GetParentPid(), collection.ReadVariable<int>("seen_parent_tgid"));
        Assert.Equal(0, collection.ReadVariable<int>("has_missing_field"));
        Assert.Equal(4, collection.ReadVariable<int>("pid_size"));
    }

    [SkippableFact]
    public void Kernel_side_CO_RE_without_the_objects_BTF_fails_with_a_clear_message()
    {
        Kernel.RequireBpf();
        var spec = ElfObjectReader.ReadFile(Compile("core"));
        // User-space CO-RE (the default) reads the object's BTF in the process and needs none in the kernel.
        using (Collection.Load(spec, new CollectionOptions { DisableBtf = true })) { }
        var e = Assert.Throws<LoadException>(() => Collection.Load(spec, new CollectionOptions
        {
            DisableBtf = true,
            Core = new CoreOptions { Mode = CoreRelocationMode.Kernel },
        }));
        Assert.StartsWith("program 'core_probe' has ", e.Message);
        Assert.Contains("CO-RE relocation(s)", e.Message);
        Assert.Contains("the BTF was not loaded", e.Message);
    }
}
