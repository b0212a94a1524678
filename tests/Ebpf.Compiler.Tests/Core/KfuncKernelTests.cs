using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>Kfuncs from C#: <c>[Kfunc] static extern</c> methods compile to BPF_PSEUDO_KFUNC_CALL calls against undefined
/// symbols with an extern FUNC in a <c>.ksyms</c> DATASEC, as clang emits them; our runtime and libbpf (bpftool) load the
/// object, and the program runs: <c>bpf_task_from_pid</c> finds this process, <c>bpf_task_release</c> drops the reference
/// (the verifier refuses the program without it).</summary>
public class KfuncKernelTests
{
    internal const string Probe = """
        using Ebpf;
        using Vmlinux;

        [BpfObject(License = "GPL")]
        public static unsafe partial class TaskLookup
        {
            [Kfunc] static extern task_struct* bpf_task_from_pid(int pid);
            [Kfunc] static extern void bpf_task_release(task_struct* p);

            static int TargetPid;
            static int SeenTgid;

            public struct NoArgs { public long Unused; }

            [Syscall]
            static int Find(in NoArgs args)
            {
                task_struct* task = bpf_task_from_pid(TargetPid);
                if (task == null) return 0;
                SeenTgid = task->tgid;
                bpf_task_release(task);
                return 1;
            }
        }
        """;

    static readonly Lazy<string> TaskStruct = new(() => VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["task_struct"]));

    static BpfCompileResult Compile(string probe) => BpfCompiler.CompileSources([(probe, "TaskLookup.cs"), (TaskStruct.Value, "Vmlinux.g.cs")]);

    [Fact]
    public void Kfunc_calls_are_extern_symbols_with_ksyms_btf_as_clang_emits_them()
    {
        var result = Compile(Probe);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var spec = Assert.Single(result.Objects).Spec;
        var find = spec.Programs.Single(p => p.Name == "Find");
        Assert.Equal(["bpf_task_from_pid", "bpf_task_release"], find.Relocations.Where(r => r.Kind == RelocationKind.Kfunc).Select(r => r.Symbol));
        var ksyms = spec.Btf!.FindType<BtfDatasec>(".ksyms")!;
        Assert.Equal(["bpf_task_from_pid", "bpf_task_release"], ksyms.Functions.Select(f => f.Name));
        Assert.All(ksyms.Functions, f => Assert.Equal(BtfFuncLinkage.Extern, f.Linkage));

        // The written object read back (ELF symbols and relocations) gives the same calls.
        var path = Path.Combine(Directory.CreateTempSubdirectory("ebpf-kfunc-").FullName, "TaskLookup.bpf.o");
        ElfObjectWriter.WriteFile(spec, path);
        var reread = ElfObjectReader.ReadFile(path);
        Assert.Equal(["bpf_task_from_pid", "bpf_task_release"], reread.Programs.Single(p => p.Name == "Find").Relocations
            .Where(r => r.Kind == RelocationKind.Kfunc).Select(r => r.Symbol));
    }

    [SkippableFact]
    public void Kfunc_program_loads_through_our_runtime_and_libbpf_and_finds_this_process()
    {
        Kernel.RequireBpf();
        var result = Compile(Probe);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var spec = Assert.Single(result.Objects).Spec;
        using (var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "kfunc_cs" }))
        {
            Assert.True(collection.Warnings.Count == 0, string.Join("\n", collection.Warnings));
            var program = collection.GetProgram("Find");
            collection.WriteVariable("TargetPid", Environment.ProcessId);
            Assert.Equal(1u, program.TestRun(new TestRunOptions()).ReturnValue);
            Assert.Equal(Environment.ProcessId, collection.ReadVariable<int>("SeenTgid"));
            collection.WriteVariable("TargetPid", int.MaxValue);
            Assert.Equal(0u, program.TestRun(new TestRunOptions()).ReturnValue);
        }

        var dir = Directory.CreateTempSubdirectory("ebpf-kfunc-bpftool-").FullName;
        var path = Path.Combine(dir, "TaskLookup.bpf.o");
        ElfObjectWriter.WriteFile(spec, path);
        var pin = "/sys/fs/bpf/ebpf_kfunc_cs_" + Environment.ProcessId;
        try
        {
            var load = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "loadall", path, pin);
            Assert.True(load.ExitCode == 0, load.Combined);
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, recursive: true);
        }
    }

    [SkippableFact]
    public void Without_the_release_the_verifier_refuses_the_unreleased_reference()
    {
        Kernel.RequireBpf();
        var result = Compile(Probe.Replace("bpf_task_release(task);", ""));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var e = Assert.ThrowsAny<Exception>(() => Collection.Load(Assert.Single(result.Objects).Spec, new CollectionOptions { ObjectName = "kfunc_leak" }).Dispose());
        Assert.Contains("Unreleased reference", e.ToString());
    }
}
