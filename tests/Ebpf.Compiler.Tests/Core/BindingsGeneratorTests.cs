using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>The C# generators (<c>ebpf gen vmlinux</c>, <c>gen tracepoint</c>, <c>gen bindings</c>): snapshots of their output
/// for inputs with every shape they handle, and the output compiled by Roslyn and by our compiler.</summary>
public class BindingsGeneratorTests
{
    /// <summary>A small kernel-like BTF graph: bit-fields, an anonymous union member, a flexible array, a function
    /// pointer, arrays of structs and of pointers, keywords and a member named like its struct, a typedef'd anonymous
    /// struct, a named and an anonymous enum, a type only pointed to.</summary>
    static BtfSpec Graph()
    {
        var b = new BtfBuilder();
        var u8 = new BtfInt("unsigned char", 1, false);
        var ch = new BtfInt("char", 1, true, isChar: true);
        var u32 = new BtfInt("unsigned int", 4, false);
        var s32 = new BtfInt("int", 4, true);
        var u64 = new BtfInt("long long unsigned int", 8, false);
        var listHead = new BtfStruct("list_head", 16);
        listHead.Members.Add(new BtfMember("next", new BtfPointer(listHead), 0));
        listHead.Members.Add(new BtfMember("prev", new BtfPointer(listHead), 64));
        var mm = new BtfStruct("mm_struct", 1024);
        mm.Members.Add(new BtfMember("total_vm", u64, 0));
        var state = new BtfEnum("task_state", 4, false, [new BtfEnumValue("TASK_RUNNING", 0), new BtfEnumValue("TASK_DEAD", 0x80)]);
        var anonEnum = new BtfEnum(null, 4, false, [new BtfEnumValue("PF_EXITING", 4), new BtfEnumValue("PF_KTHREAD", 0x200000)]);
        var atomicBody = new BtfStruct(null, 4);
        atomicBody.Members.Add(new BtfMember("counter", s32, 0));
        var atomic = new BtfTypedef("atomic_t", atomicBody);
        var task = new BtfStruct("task", 128);
        var callback = new BtfFuncProto(s32, [new BtfParameter("t", new BtfPointer(task)), new BtfParameter("flags", u32)]);
        var anonUnion = new BtfStruct(null, 8, isUnion: true);
        anonUnion.Members.Add(new BtfMember("state", state, 0));
        anonUnion.Members.Add(new BtfMember("raw_state", u64, 0));
        task.Members.Add(new BtfMember("pid", s32, 0));
        task.Members.Add(new BtfMember("usage", atomic, 32));
        task.Members.Add(new BtfMember(null, anonUnion, 64));
        task.Members.Add(new BtfMember("in_execve", u32, 128, 1));
        task.Members.Add(new BtfMember("in_iowait", u32, 129, 1));
        task.Members.Add(new BtfMember("prio", u32, 130, 3));
        task.Members.Add(new BtfMember("comm", new BtfArray(ch, 16), 160));
        task.Members.Add(new BtfMember("children", new BtfArray(listHead, 2), 320));
        task.Members.Add(new BtfMember("mm", new BtfPointer(mm), 576));
        task.Members.Add(new BtfMember("callback", new BtfPointer(callback), 640));
        task.Members.Add(new BtfMember("event", u8, 704));
        task.Members.Add(new BtfMember("task", u8, 712));
        task.Members.Add(new BtfMember("files", new BtfArray(new BtfPointer(mm), 2), 768));
        task.Members.Add(new BtfMember("flags_kind", anonEnum, 896));
        task.Members.Add(new BtfMember("data", new BtfArray(u8, 0), 1024));
        b.Add(task);
        b.Add(new BtfTypedef("u32", u32));
        return b.Build();
    }

    [Fact]
    public void Vmlinux_of_named_types_snapshot() => Snapshot.Match("vmlinux-task", VmlinuxGenerator.Generate(Graph(), ["task"], new BindingsOptions(Header: "test graph")));

    [Fact]
    public void Vmlinux_of_all_types_defines_the_pointed_to_ones_too()
    {
        var all = VmlinuxGenerator.Generate(Graph(), [], new BindingsOptions(Header: "test graph"));
        Assert.Contains("[CoreType(\"mm_struct\"), StructLayout(LayoutKind.Explicit, Size = 1024)]", all);
        Assert.DoesNotContain("opaque", all);
    }

    [Fact]
    public void Unknown_type_names_are_one_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => VmlinuxGenerator.Generate(Graph(), ["task", "no_such_type"]));
        Assert.Equal("no struct, union, enum or typedef named 'no_such_type' in the BTF", e.Message);
    }

    const string SchedProcessExec = """
        name: sched_process_exec
        ID: 365
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
        	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;
        	field:pid_t pid;	offset:12;	size:4;	signed:1;
        	field:char comm[16];	offset:16;	size:16;	signed:0;
        	field:const char * name;	offset:32;	size:8;	signed:0;

        print fmt: "filename=%s pid=%d", __get_str(filename), REC->pid
        """;

    [Fact]
    public void Tracepoint_record_snapshot()
        => Snapshot.Match("tracepoint-sched_process_exec", TracepointGenerator.Generate([TracepointFormat.Parse("sched", "sched_process_exec", SchedProcessExec)]));

    [Fact]
    public void Object_bindings_snapshot_of_our_CO_RE_probe()
        => Snapshot.Match("bindings-coreprobe", ObjectBindingsGenerator.Generate(CoreKernelTests.Compile(), "CoreProbe", "Bindings"));

    /// <summary>The generated files are C# that compiles (no errors) against Ebpf.dll and Ebpf.Runtime.dll.</summary>
    [Fact]
    public void Generated_code_compiles()
    {
        var formats = new[] { TracepointFormat.Parse("sched", "sched_process_exec", SchedProcessExec) };
        var sources = new List<(string, string)>
        {
            (VmlinuxGenerator.Generate(Graph(), [], new BindingsOptions("Graph")), "Graph.g.cs"),
            (TracepointGenerator.Generate(formats), "Tracepoints.g.cs"),
            (ObjectBindingsGenerator.Generate(CoreKernelTests.Compile(), "CoreProbe", "Bindings"), "Bindings.g.cs"),
        };
        if (File.Exists("/sys/kernel/btf/vmlinux")) sources.Add((VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["task_struct", "sk_buff", "bpf_func_id"]), "Vmlinux.g.cs"));
        var compilation = BpfCompiler.CreateCompilation(sources, new BpfCompilerOptions(), new List<Diagnostic>());
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
    }

    /// <summary>bpftool's whole vmlinux.h as C#: every kernel type in one file compiles, and a probe built with it gives
    /// the same object as with only the types it uses (the compiler binds only what the probe reaches).</summary>
    [SkippableFact]
    public void A_probe_built_with_every_kernel_type_gives_the_same_object()
    {
        Kernel.RequireBpf();
        var all = VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), []);
        var result = BpfCompiler.CompileSources([(CoreKernelTests.Probe, "CoreProbe.cs"), (all, "Vmlinux.g.cs")]);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics.Take(20)));
        Assert.Equal(ElfObjectWriter.Write(CoreKernelTests.Compile()), ElfObjectWriter.Write(Assert.Single(result.Objects).Spec));
        var compilation = BpfCompiler.CreateCompilation([(all, "Vmlinux.g.cs")], new BpfCompilerOptions(), new List<Diagnostic>());
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
    }

    const string ClangProbe = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        struct key { unsigned int pid; unsigned char comm[16]; };
        struct event { unsigned long long ts; int pid; enum { EV_OPEN = 1, EV_CLOSE = 2 } kind; unsigned int flags : 3; };
        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, struct key); __type(value, unsigned long long); } counts SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
        const volatile int target_pid = 0;
        unsigned long long seen = 0;
        const struct event *unused_event __attribute__((unused));

        SEC("tracepoint/syscalls/sys_enter_getppid")
        int on_getppid(void *ctx)
        {
            struct key k = { .pid = target_pid };
            unsigned long long one = 1;
            bpf_map_update_elem(&counts, &k, &one, BPF_ANY);
            seen++;
            return 0;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    /// <summary>A clang-built object (libbpf-style BTF maps, .rodata/.bss, a ring-buffer record kept in BTF) gives
    /// typed bindings that compile: the map key struct, the value type, the record with its bit-field, the sections.</summary>
    [SkippableFact]
    public void Bindings_of_a_clang_object_compile()
    {
        Skip.If(!File.Exists("/usr/include/bpf/bpf_helpers.h"), "libbpf-dev headers missing");
        var obj = ClangBpf.CompileSource(ClangProbe, "clangprobe");
        var text = ObjectBindingsGenerator.Generate(ElfObjectReader.ReadFile(obj), "Clangprobe", "Bindings");
        Assert.Contains("public static Ebpf.Runtime.Map<key, ulong> counts(Ebpf.Runtime.Collection collection)", text);
        Assert.Contains("public static Ebpf.Runtime.Map events(Ebpf.Runtime.Collection collection)", text);
        Assert.Contains("public unsafe partial struct @event", text);
        Assert.Contains("[Bitfield(", text);
        Assert.Contains("public struct Rodata", text);
        Assert.Contains("[System.Runtime.InteropServices.FieldOffset(0)] public int target_pid;", text);
        Assert.Contains("public struct Bss", text);
        Assert.DoesNotContain("CoreType(", text);
        var compilation = BpfCompiler.CreateCompilation([(text, "Bindings.g.cs")], new BpfCompilerOptions(), new List<Diagnostic>());
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)) + "\n" + text);
    }
}
