using Ebpf.Object;
using Ebpf.Object.Elf;
using Ebpf.Runtime.Tests.Core;

namespace Ebpf.Runtime.Tests.Programs;

/// <summary>Kfuncs (<c>extern ... __ksym</c> kernel functions) in clang-built objects: the reader keeps the call as a
/// Kfunc relocation, the loader writes the kernel function's BTF id (BPF_PSEUDO_KFUNC_CALL) as libbpf does, and the
/// program runs. <c>bpf_task_from_pid</c> acquires a task reference that <c>bpf_task_release</c> drops (the verifier
/// checks the pairing), callable from syscall programs since 6.5.</summary>
public class KfuncTests
{
    const string Source = """
        #include "vmlinux.h"
        #include <bpf/bpf_helpers.h>
        extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
        extern void bpf_task_release(struct task_struct *p) __ksym;
        int target_pid;
        int seen_tgid;
        SEC("syscall")
        int find_task(void *ctx)
        {
            struct task_struct *t = bpf_task_from_pid(target_pid);
            if (!t) return 0;
            seen_tgid = t->tgid;
            bpf_task_release(t);
            return 1;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    [SkippableFact]
    public void Kfunc_calls_resolve_against_the_kernel_btf_and_run()
    {
        Kernel.RequireBpf();
        var spec = ElfObjectReader.ReadFile(CoreTestObjects.CompileWithVmlinux(Source, "kfunc_task"));
        var calls = spec.Programs.Single(p => p.Name == "find_task").Relocations.Where(r => r.Kind == RelocationKind.Kfunc).Select(r => r.Symbol);
        Assert.Equal(["bpf_task_from_pid", "bpf_task_release"], calls);

        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "kfunc_task" });
        Assert.Empty(collection.Warnings);                                            // the object's BTF (with its .ksyms) loaded
        var program = collection.GetProgram("find_task");
        collection.WriteVariable("target_pid", Environment.ProcessId);
        Assert.Equal(1u, program.TestRun(new TestRunOptions()).ReturnValue);
        Assert.Equal(Environment.ProcessId, collection.ReadVariable<int>("seen_tgid"));

        collection.WriteVariable("target_pid", int.MaxValue);                        // no such process
        Assert.Equal(0u, program.TestRun(new TestRunOptions()).ReturnValue);

    }

    [SkippableFact]
    public void A_kfunc_declared_with_a_forward_struct_is_refused_naming_both_prototypes()
    {
        Kernel.RequireBpf();
        var source = Source.Replace("#include \"vmlinux.h\"", "typedef int s32;\nstruct task_struct;").Replace("seen_tgid = t->tgid;", "seen_tgid = 1;")
            .Replace("#include <bpf/bpf_helpers.h>", "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>");
        var spec = ElfObjectReader.ReadFile(ClangBpf.CompileSource(source, "kfunc_fwd"));
        var e = Assert.Throws<LoadException>(() => Collection.Load(spec, new CollectionOptions { ObjectName = "kfunc_fwd" }));
        Assert.Contains("program 'find_task' calls kernel function 'bpf_task_from_pid' declared as struct task_struct (forward declaration) * (s32)", e.Message);
        Assert.Contains("does not match the kernel's struct task_struct * (s32)", e.Message);
    }

    [SkippableFact]
    public void A_kfunc_this_kernel_lacks_is_refused_by_name()
    {
        Kernel.RequireBpf();
        var source = Source.Replace("bpf_task_release", "bpf_task_release_from_the_future");
        var spec = ElfObjectReader.ReadFile(CoreTestObjects.CompileWithVmlinux(source, "kfunc_missing"));
        var e = Assert.Throws<LoadException>(() => Collection.Load(spec, new CollectionOptions { ObjectName = "kfunc_missing" }));
        Assert.StartsWith("program 'find_task' calls kernel function 'bpf_task_release_from_the_future', which neither this kernel's BTF nor a loaded module's has", e.Message);
    }
}
