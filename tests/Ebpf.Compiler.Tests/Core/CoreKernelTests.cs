using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>CO-RE end to end: kernel types generated from this kernel's BTF (<c>ebpf gen vmlinux task_struct</c>), a
/// tracepoint probe reading <c>task->real_parent->tgid</c> through <c>bpf_get_current_task</c> (the probe-read path),
/// loaded by our runtime (the kernel applies the CO-RE records itself) and by libbpf (bpftool prog loadall), and a field
/// no kernel has, guarded by <c>Bpf.CoreFieldExists</c>, whose read libbpf poisons while the guard takes the other branch.</summary>
public partial class CoreKernelTests
{
    internal const string Probe = """
        using System.Runtime.InteropServices;
        using Ebpf;
        using Vmlinux;

        /// <summary>A view of task_struct with a field no kernel has (libbpf's ___flavor naming).</summary>
        [CoreType("task_struct___future"), StructLayout(LayoutKind.Explicit, Size = 8)]
        public struct task_struct___future { [FieldOffset(0)] public int field_from_the_future; }

        public struct NoArgs { public ulong Common; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class CoreProbe
        {
            static readonly int TargetPid;
            static int ParentTgid;
            static int FutureBranch;
            static uint PidSize;
            static int TaskExists;
            static int Comm0;

            [Tracepoint("syscalls", "sys_enter_getppid")]
            static int OnGetppid(in NoArgs args)
            {
                if ((int)(Bpf.GetCurrentPidTgid() >> 32) != TargetPid) return 0;
                var task = (task_struct*)Bpf.GetCurrentTask();
                ParentTgid = task->real_parent->tgid;
                var future = (task_struct___future*)task;
                FutureBranch = Bpf.CoreFieldExists(in future->field_from_the_future) ? future->field_from_the_future : -1;
                PidSize = Bpf.CoreFieldSize(in task->pid);
                TaskExists = Bpf.CoreTypeExists<task_struct>() ? 1 : 0;
                byte first;
                Bpf.ProbeReadKernel(&first, 1, task->comm);
                Comm0 = first;
                return 0;
            }
        }
        """;

    static readonly Lazy<string> TaskStruct = new(() => VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["task_struct"]));

    internal static ObjectSpec Compile()
    {
        var result = BpfCompiler.CompileSources([(Probe, "CoreProbe.cs"), (TaskStruct.Value, "Vmlinux.g.cs")]);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }

    [LibraryImport("libc")]
    private static partial int getppid();

    [Fact]
    public void The_object_carries_CO_RE_records_for_each_access_of_a_kernel_type()
    {
        var spec = Compile();
        var program = spec.Programs.Single(p => p.Name == "OnGetppid");
        // Each record names its member through the access string's index into the local (trimmed) type's members.
        static string Describe(BtfCoreRelocation r) => r.AccessString == "0" ? $"{r.Kind} {r.Type.Name}"
            : $"{r.Kind} {r.Type.Name}.{((BtfStruct)r.Type).Members[int.Parse(r.AccessString.Split(':')[1])].Name}";
        var records = program.CoreRelocations.Select(Describe).ToList();
        Assert.Equal(
            ["FieldByteOffset task_struct.real_parent", "FieldByteOffset task_struct.tgid", "FieldExists task_struct___future.field_from_the_future",
             "FieldByteOffset task_struct___future.field_from_the_future", "FieldByteSize task_struct.pid", "TypeExists task_struct",
             "FieldByteOffset task_struct.comm"],
            records);
        Assert.All(program.CoreRelocations.Where(r => r.AccessString != "0"), r => Assert.Matches("^0:[0-9]+$", r.AccessString));
        // Only the members accessed are in the local view, at this kernel's offsets.
        var local = (BtfStruct)program.CoreRelocations.First(r => r.Type.Name == "task_struct").Type;
        Assert.Equal(["comm", "pid", "real_parent", "tgid"], local.Members.Select(m => m.Name!).Order().ToArray());
        // The .BTF.ext written to the ELF reads back with the same records.
        var reread = ElfObjectReader.Read(ElfObjectWriter.Write(spec)).Programs.Single(p => p.Name == "OnGetppid");
        Assert.Equal(records, reread.CoreRelocations.Select(Describe).ToList());
    }

    [SkippableFact]
    public void Reads_task_real_parent_tgid_as_getppid_in_a_tracepoint_attached_here()
    {
        Kernel.RequireTracefs();
        var spec = Compile();
        spec.SetVariable("TargetPid", Environment.ProcessId);
        using var collection = Collection.Load(spec);
        int expected;
        using (collection.Programs["OnGetppid"].Attach()) expected = getppid();
        Assert.Equal(expected, collection.ReadVariable<int>("ParentTgid"));
        Assert.Equal(-1, collection.ReadVariable<int>("FutureBranch"));
        Assert.Equal(4u, collection.ReadVariable<uint>("PidSize"));
        Assert.Equal(1, collection.ReadVariable<int>("TaskExists"));
        Assert.NotEqual(0, collection.ReadVariable<int>("Comm0"));
    }

    [GeneratedRegex(@"relo #\d+: patched insn #(\d+) \(ALU/ALU64\) imm (-?\d+) -> (-?\d+)")]
    private static partial Regex Patched();

    [SkippableFact]
    public void Bpftool_loadall_resolves_the_relocations_to_this_kernels_offsets_and_poisons_the_missing_field()
    {
        Kernel.RequireBpf();
        var bpftool = ExternalTool.Require("bpftool");
        var dir = Path.Combine(Path.GetTempPath(), $"btfgen-core-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var obj = Path.Combine(dir, "CoreProbe.bpf.o");
        File.WriteAllBytes(obj, ElfObjectWriter.Write(Compile()));
        var pin = "/sys/fs/bpf/btfgen_core_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var result = ExternalTool.Run(bpftool, "-d", "prog", "loadall", obj, pin);
            Assert.True(result.ExitCode == 0, $"bpftool prog loadall failed:\n{result.Combined}");
            var log = result.Combined;
            var kernel = BtfSpec.LoadKernel().FindType<BtfStruct>("task_struct")!;
            uint Offset(string member) => kernel.Members.Single(m => m.Name == member).BitOffset / 8;
            Assert.Matches($@"<byte_off> \[\d+\] struct task_struct\.real_parent \(0:\d+ @ offset {Offset("real_parent")}\)", log);
            Assert.Matches($@"<byte_off> \[\d+\] struct task_struct\.tgid \(0:\d+ @ offset {Offset("tgid")}\)", log);
            // The field of the future: existence patched 1 -> 0, its read replaced by libbpf's poison call.
            Assert.Contains("<field_exists> [", log);
            Assert.Contains("imm 1 -> 0", log);
            Assert.Contains("w/ invalid insn", log);
            Assert.Contains(Patched().Matches(log), m => m.Groups[3].Value == Offset("tgid").ToString());
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    const string ForkProbe = """
        using Ebpf;
        using Vmlinux;

        [BpfObject(License = "GPL")]
        public static unsafe partial class ForkProbe
        {
            static readonly int TargetPid;
            static int ChildPid;
            static int ChildTgid;
            static int GrandParent;

            [TracepointBtf("sched_process_fork")]
            static int OnFork(TracingContext ctx, task_struct* parent, task_struct* child)
            {
                if (parent->tgid != TargetPid) return 0;
                ChildPid = child->pid;
                ChildTgid = child->tgid;
                GrandParent = parent->real_parent->tgid;
                return 0;
            }
        }
        """;

    /// <summary>In a tp_btf program the task pointers are BTF pointers: the relocated reads are direct loads (no helper).</summary>
    [SkippableFact]
    public void A_tp_btf_program_reads_the_forked_child_with_direct_relocated_loads()
    {
        Kernel.RequireBpf();
        var result = BpfCompiler.CompileSources([(ForkProbe, "ForkProbe.cs"), (TaskStruct.Value, "Vmlinux.g.cs")]);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        var spec = Assert.Single(result.Objects).Spec;
        var program = spec.Programs.Single(p => p.Name == "OnFork");
        Assert.DoesNotContain(program.Instructions, i => i.IsCall);
        Assert.Equal(5, program.CoreRelocations.Count);
        var (collection, child) = ForkingShell.LoadAndFork(spec, "OnFork");
        using var _ = collection;
        Assert.Equal(child, collection.ReadVariable<int>("ChildTgid"));
        Assert.NotEqual(0, collection.ReadVariable<int>("ChildPid"));
        Assert.Equal(Environment.ProcessId, collection.ReadVariable<int>("GrandParent"));
    }

    const string EnumProbe = """
        using Ebpf;
        using Vmlinux;

        public struct NoArgs { public ulong Common; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class EnumProbe
        {
            static long LoopId;
            static int LoopExists;

            [Tracepoint("syscalls", "sys_enter_getppid")]
            static int OnGetppid(in NoArgs args)
            {
                LoopExists = Bpf.CoreEnumValueExists(bpf_func_id.BPF_FUNC_loop) ? 1 : 0;
                LoopId = Bpf.CoreEnumValue(bpf_func_id.BPF_FUNC_loop);
                return 0;
            }
        }
        """;

    /// <summary>Enum value relocations: ENUMVAL_EXISTS and ENUMVAL_VALUE of a kernel enumerator, resolved by libbpf.</summary>
    [SkippableFact]
    public void Enum_value_relocations_resolve_to_this_kernels_enumerator()
    {
        Kernel.RequireBpf();
        var vmlinux = VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["bpf_func_id"]);
        var result = BpfCompiler.CompileSources([(EnumProbe, "EnumProbe.cs"), (vmlinux, "Vmlinux.g.cs")]);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        var spec = Assert.Single(result.Objects).Spec;
        var records = spec.Programs.Single(p => p.Name == "OnGetppid").CoreRelocations;
        var loop = BtfSpec.LoadKernel().FindType<BtfEnum>("bpf_func_id")!.Values.ToList().FindIndex(v => v.Name == "BPF_FUNC_loop");
        Assert.Equal([$"EnumValueExists bpf_func_id {loop}", $"EnumValue bpf_func_id {loop}"], records.Select(r => $"{r.Kind} {r.Type.Name} {r.AccessString}"));
        var dir = Path.Combine(Path.GetTempPath(), $"btfgen-enum-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var obj = Path.Combine(dir, "EnumProbe.bpf.o");
        File.WriteAllBytes(obj, ElfObjectWriter.Write(spec));
        var pin = "/sys/fs/bpf/btfgen_enum_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = ExternalTool.Run(ExternalTool.Require("bpftool"), "-d", "prog", "loadall", obj, pin);
            Assert.True(run.ExitCode == 0, $"bpftool prog loadall failed:\n{run.Combined}");
            Assert.Contains("<enumval_exists> [", run.Combined);
            Assert.Matches(@"<enumval_value> \[\d+\] enum bpf_func_id::BPF_FUNC_loop = 181", run.Combined);
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }
}
