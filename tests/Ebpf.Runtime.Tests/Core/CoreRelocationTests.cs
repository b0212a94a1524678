using Ebpf.Btf;
using Ebpf.Btf.Core;
using Xunit.Abstractions;

namespace Ebpf.Runtime.Tests.Core;

/// <summary>User-space CO-RE on a clang-built object that reads the kernel's own task_struct: our fixups against the
/// BTF of 6.18 (running), 6.12 and 6.1 compared one by one with libbpf's for the same object and BTF, and the
/// relocated program run on this kernel.</summary>
public class CoreRelocationTests(ITestOutputHelper output)
{
    static ProgramSpec ReadTask(out ObjectSpec spec)
    {
        spec = ElfObjectReader.ReadFile(CoreTestObjects.TaskFields);
        return spec.Programs.Single(p => p.Name == "read_task");
    }

    /// <summary>Two clang objects and two our compiler built from C# (<see cref="CoreAcrossKernels"/>: a pointer chase, a
    /// bit-field's five relocations, a guarded field 6.1 lacks; and sk_buff bit-fields inside an anonymous struct, one
    /// guarded), each with the field only newer kernels have and how many relocations its guarded read has.</summary>
    [SkippableTheory]
    [InlineData("task_fields", "running", 18, "task_struct.mm_cid", 1)]
    [InlineData("task_fields", "6.12.", 18, "task_struct.mm_cid", 1)]
    [InlineData("task_fields", "6.1.", 18, "task_struct.mm_cid", 1)]
    [InlineData("direct_fields", "running", 7, "task_struct.mm_cid", 1)]
    [InlineData("direct_fields", "6.12.", 7, "task_struct.mm_cid", 1)]
    [InlineData("direct_fields", "6.1.", 7, "task_struct.mm_cid", 1)]
    [InlineData("core_across_kernels", "running", 9, "task_struct.rseq_len", 1)]
    [InlineData("core_across_kernels", "6.12.", 9, "task_struct.rseq_len", 1)]
    [InlineData("core_across_kernels", "6.1.", 9, "task_struct.rseq_len", 1)]
    [InlineData("skb_bitfields", "running", 17, "sk_buff.tstamp_type", 5)]
    [InlineData("skb_bitfields", "6.12.", 17, "sk_buff.tstamp_type", 5)]
    [InlineData("skb_bitfields", "6.1.", 17, "sk_buff.tstamp_type", 5)]
    public void Every_relocation_agrees_with_libbpf(string objectName, string kernel, int relocations, string newerField, int guardedReads)
    {
        Kernel.RequireBpf();   // libbpf's answer comes from bpf_object__load
        string btfPath = CoreTestObjects.BtfOf(kernel);
        string objectPath = CoreTestObjects.Object(objectName);
        var spec = ElfObjectReader.ReadFile(objectPath);
        var target = CoreTarget.Of(CoreTestObjects.Parse(btfPath));
        var all = new List<CoreFixup>();
        int compared = 0, poisoned = 0;
        // The entry program and its sub-program: libbpf relocates each function in its own section's numbering.
        foreach (var program in spec.Programs.Where(p => p.CoreRelocations.Count > 0))
        {
            var fixups = CoreRelocator.ComputeFixups(program.Name, program.CoreRelocations, spec.Btf!, target, program.LineInfos);
            var patched = BySlot(CoreInstructionPatcher.Apply(program.Instructions, fixups));
            var original = BySlot(program.Instructions);
            var libbpf = CoreTestObjects.LibbpfDecisions(objectPath, btfPath, program.Name);
            Assert.Equal(fixups.Count, libbpf.Count);
            foreach (var theirs in libbpf)
            {
                var ours = fixups[theirs.Relocation];
                Assert.Equal(theirs.Slot, ours.InstructionOffset);
                Assert.True(theirs.Poisoned == ours.Poison, $"relocation #{theirs.Relocation} {ours}: libbpf {(theirs.Poisoned ? "poisons it" : $"patches {theirs.Old} -> {theirs.New}")}");
                var insn = patched[ours.InstructionOffset];
                compared++;
                if (theirs.Poisoned)
                {
                    poisoned++;
                    Assert.Equal(CoreInstructionPatcher.Poison, insn);
                    continue;
                }
                Assert.Equal(theirs.New, theirs.Class == "ALU/ALU64" ? (uint)ours.TargetValue : ours.TargetValue);
                Assert.Equal((long)theirs.New, ValueIn(insn, theirs.Class));
                // libbpf prints the value the instruction held before patching.
                Assert.Equal((long)theirs.Old, ValueIn(original[ours.InstructionOffset], theirs.Class));
            }
            all.AddRange(fixups);
        }
        output.WriteLine($"{objectName} on {kernel} ({btfPath}): {all.Count} relocations, {compared} compared with libbpf, all agree; {poisoned} poisoned");
        foreach (var f in all) output.WriteLine("  " + f);
        Assert.Equal(relocations, compared);

        // Kernel differences the object was written to meet: mm_cid exists from 6.4 on, rseq_len from 6.3; bpf_cgrp_storage_get from 6.2.
        bool newer = kernel != "6.1.";
        Assert.Equal(newer ? 1ul : 0ul, all.Single(f => f.Kind == BtfCoreRelocationKind.FieldExists && f.Site.AccessPath == newerField).TargetValue);
        Assert.Equal(newer ? 0 : guardedReads, poisoned);   // the relocations of the guarded read, on 6.1
        if (objectName == "task_fields")
            Assert.Equal(newer ? 1ul : 0ul, all.Single(f => f.Kind == BtfCoreRelocationKind.EnumValueExists).TargetValue);
    }

    static long ValueIn(Instruction insn, string libbpfClass) => libbpfClass switch
    {
        "ALU/ALU64" => (uint)insn.Imm,
        "LDX/ST/STX" => insn.Offset,
        _ => insn.Constant,
    };

    [SkippableFact]
    public void Relocated_in_user_space_the_probe_reads_the_parent_tgid_on_this_kernel()
    {
        Kernel.RequireTracefs();
        ReadTask(out var spec);
        spec.SetVariable("target_tgid", Environment.ProcessId);
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "core_task" });
        var program = collection.GetProgram("read_task");
        Assert.Empty(program.Code.CoreRelocations);                 // nothing left for the kernel's CO-RE
        Assert.Equal(18, program.Code.CoreFixups.Count);   // the entry's 16 and the sub-program's 2
        Assert.DoesNotContain(program.Code.CoreFixups, f => f.Poison);
        using (program.Attach())
        {
            Native.GetParentPid();
        }
        Assert.Equal(Environment.ProcessId, collection.ReadVariable<int>("seen_tgid"));
        Assert.Equal(Native.GetParentPid(), collection.ReadVariable<int>("seen_ppid"));
        Assert.Equal(Native.GetParentPid(), collection.ReadVariable<int>("seen_ppid_in_subprogram"));
        Assert.Equal(1, collection.ReadVariable<int>("has_mm_cid"));
        Assert.NotEqual(-3, collection.ReadVariable<int>("seen_mm_cid"));
        Assert.InRange(collection.ReadVariable<ulong>("seen_in_iowait"), 0ul, 1ul);   // a 1-bit field, read whole
        var kernelTask = KernelBtf.Vmlinux.FindType<BtfStruct>("task_struct")!;
        Assert.Equal((int)kernelTask.Size, collection.ReadVariable<int>("task_size"));
        Assert.Equal((ulong)KernelBtf.Vmlinux.IdOf(kernelTask), collection.ReadVariable<ulong>("task_type_id"));
        Assert.Equal(35L, collection.ReadVariable<long>("get_current_task_id"));
    }

    [SkippableFact]
    public void Relocated_for_6_1_the_missing_field_takes_the_existence_check_branch()
    {
        // The 6.1 BTF has no task_struct.mm_cid: its read is poisoned, and the guarded branch is what runs. The
        // offsets are 6.1's, so only values that do not depend on them are checked (reads go through probe_read,
        // so reading 6.18's task_struct at 6.1's offsets is harmless).
        Kernel.RequireTracefs();
        ReadTask(out var spec);
        spec.SetVariable("target_tgid", Environment.ProcessId);
        var options = new CollectionOptions { ObjectName = "core_61", Core = new CoreOptions { KernelBtfPath = CoreTestObjects.BtfOf("6.1.") } };
        using var collection = Collection.Load(spec, options);
        var program = collection.GetProgram("read_task");
        var poisoned = Assert.Single(program.Code.CoreFixups, f => f.Poison);
        Assert.Equal("task_struct.mm_cid", poisoned.Site.AccessPath);
        Assert.Contains("task_fields.bpf.c", poisoned.Site.ToString());
        Assert.Contains(collection.Warnings, w => w.Contains("task_struct.mm_cid") && w.Contains("poisoned"));
        using (program.Attach())
        {
            Native.GetParentPid();
        }
        // What the 6.1 relocation decided, observed as the program ran: the guarded branch, 6.1's answers.
        Assert.Equal(0, collection.ReadVariable<int>("has_mm_cid"));
        Assert.Equal(-3, collection.ReadVariable<int>("seen_mm_cid"));
        Assert.Equal(0, collection.ReadVariable<int>("has_rseq_len"));
        Assert.Equal(0, collection.ReadVariable<int>("has_cgrp_storage_get"));
        var task61 = CoreTestObjects.Parse(CoreTestObjects.BtfOf("6.1.")).FindType<BtfStruct>("task_struct")!;
        Assert.Equal((int)task61.Size, collection.ReadVariable<int>("task_size"));
        Assert.Contains(program.Code.Instructions, i => i == CoreInstructionPatcher.Poison);
    }

    [SkippableFact]
    public void An_unguarded_missing_field_fails_with_the_access_and_the_source_line()
    {
        Kernel.RequireBpf();
        const string source = """
            #include "vmlinux.h"
            #include <bpf/bpf_helpers.h>
            #include <bpf/bpf_core_read.h>
            struct task_struct___future { int field_from_the_future; } __attribute__((preserve_access_index));
            int out = 0;
            SEC("tracepoint/syscalls/sys_enter_getppid")
            int future(void *ctx)
            {
                struct task_struct___future *task = (void *)bpf_get_current_task();
                out = BPF_CORE_READ(task, field_from_the_future);
                return 0;
            }
            char LICENSE[] SEC("license") = "GPL";
            """;
        var spec = ElfObjectReader.ReadFile(CoreTestObjects.CompileWithVmlinux(source, "future"));
        var e = Assert.Throws<UnresolvedCoreRelocationException>(() => Collection.Load(spec));
        output.WriteLine(e.Message);
        Assert.Contains("task_struct___future.field_from_the_future", e.Message);
        Assert.Matches(@"^/tmp/[^ ]*/future\.c\(\d+,\d+\): ", e.Message);        // the source line clang's line_info gives the instruction
        Assert.Contains("program 'future', future.c:", e.Message);
        Assert.Contains("program 'future'", e.Message);
        Assert.Contains("invalid func unknown#195896080", e.Message);
        Assert.IsType<VerifierException>(e.InnerException);
        Assert.True(e.Fixup.Poison);
    }

    [SkippableFact]
    public void The_kernel_can_still_be_asked_to_relocate()
    {
        Kernel.RequireTracefs();
        ReadTask(out var spec);
        spec.SetVariable("target_tgid", Environment.ProcessId);
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "core_kern", Core = new CoreOptions { Mode = CoreRelocationMode.Kernel } });
        var program = collection.GetProgram("read_task");
        Assert.Empty(program.Code.CoreFixups);
        Assert.Equal(18, program.Code.CoreRelocations.Count);
        using (program.Attach())
        {
            Native.GetParentPid();
        }
        Assert.Equal(Native.GetParentPid(), collection.ReadVariable<int>("seen_ppid"));
    }

    [SkippableFact]
    public void Our_loaded_code_equals_what_libbpf_loads()
    {
        Kernel.RequireBpf();
        ReadTask(out var spec);
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "core_cmp" });
        string pinDir = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-core-libbpf-{Environment.ProcessId}");
        var bpftool = ExternalTool.Require("bpftool");
        try
        {
            var loadall = ExternalTool.Run(bpftool, "prog", "loadall", CoreTestObjects.TaskFields, pinDir);
            Assert.True(loadall.ExitCode == 0, loadall.Combined);
            var theirs = ExternalTool.Run(bpftool, "prog", "dump", "xlated", "pinned", Path.Combine(pinDir, "read_task"));
            var ours = ExternalTool.Run(bpftool, "prog", "dump", "xlated", "id", collection.GetProgram("read_task").GetInfo().Id.ToString());
            Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, theirs.Combined + ours.Combined);
            Assert.Equal(Normalize(theirs.StdOut), Normalize(ours.StdOut));
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
        }
    }

    static Dictionary<int, Instruction> BySlot(IReadOnlyList<Instruction> code)
    {
        var slots = new Dictionary<int, Instruction>();
        for (int i = 0, slot = 0; i < code.Count; slot += code[i].Slots, i++) slots[slot] = code[i];
        return slots;
    }

    static string Normalize(string xlated) => System.Text.RegularExpressions.Regex.Replace(
        System.Text.RegularExpressions.Regex.Replace(xlated, @"0x[0-9a-f]{16}", "0xADDR"), @"map\[id:\d+\]", "map[id:N]");
}

/// <summary>The 6.1 and 6.12 verifiers (Debian's kernels under qemu, scripts/verify-on-older-kernels.sh) accept
/// task_fields relocated by us for each of them: written back as an object without CO-RE records, so libbpf
/// (bpftool, in the guest) loads our instructions as they are.</summary>
public class CoreOnOlderKernelsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Objects_relocated_by_us_for_6_1_and_6_12_pass_those_kernels_verifiers()
    {
        Kernel.RequireBpf();
        var dir = Directory.CreateTempSubdirectory("ebpf-core-older-").FullName;
        var objects = new List<string>();
        foreach (var (kernel, name) in new[] { ("6.1.", "core_for_6_1"), ("6.12.", "core_for_6_12") })
            objects.Add(CoreTestObjects.RelocatedByUs(CoreTestObjects.TaskFields, CoreTestObjects.BtfOf(kernel), Path.Combine(dir, name + ".bpf.o")));
        var r = ExternalTool.RunWithTimeout("bash", TimeSpan.FromMinutes(8), [RepoPaths.Combine("scripts", "verify-on-older-kernels.sh"), .. objects]);
        output.WriteLine(r.Combined);
        Assert.True(r.ExitCode == 0, r.Combined);
        Assert.Equal(2, r.StdOut.Split('\n').Count(l => l.StartsWith("KERNEL ")));
        Assert.Equal(4, r.StdOut.Split('\n').Count(l => l.StartsWith("LOADED core_for_")));
    }
}

/// <summary>The must-show of CO-RE: <see cref="CoreAcrossKernels"/>, one object our compiler built from C#, loaded,
/// attached and triggered through libbpf (the static core_probe_runner) on this 6.18 kernel and on Debian's 6.1 and
/// 6.12 under qemu (one boot each, scripts/verify-on-older-kernels.sh --run), reading on each the parent's tgid as
/// getppid() returns it, the sched_reset_on_fork bit-field before and after the runner sets it, and rseq_len where the
/// kernel has it (6.3+) — the existence check's other branch on 6.1. The same object relocated by our runtime for each
/// kernel (its CO-RE records dropped, so libbpf loads our instructions as they are) reads the same values there.</summary>
public class CoreAcrossKernelsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Our_CSharp_object_run_through_libbpf_reads_parent_tgid_bitfield_and_rseq_len_on_this_kernel()
    {
        Kernel.RequireTracefs();
        var dir = Directory.CreateTempSubdirectory("ebpf-core-across-here-").FullName;
        var byUs = CoreTestObjects.RelocatedByUs(CoreAcrossKernels.Object, CoreTestObjects.BtfOf("running"), Path.Combine(dir, "by_us.bpf.o"));
        foreach (var obj in new[] { CoreAcrossKernels.Object, byUs })
        {
            var r = ExternalTool.Run(CoreAcrossKernels.Runner, obj);
            output.WriteLine(r.Combined);
            Assert.True(r.ExitCode == 0, r.Combined);
            CoreAcrossKernels.Run.Parse(r.StdOut).AssertReadsTheKernelsValues(hasRseqLen: true);
        }
    }

    [SkippableFact]
    public void Our_CSharp_object_run_through_libbpf_on_6_1_and_6_12_reads_the_values_of_each_kernel()
    {
        Kernel.RequireBpf();
        var dir = Directory.CreateTempSubdirectory("ebpf-core-across-guests-").FullName;
        var objects = new List<string> { CoreAcrossKernels.Object };
        foreach (var (kernel, name) in new[] { ("6.1.", "by_us_for_6_1"), ("6.12.", "by_us_for_6_12") })
            objects.Add(CoreTestObjects.RelocatedByUs(CoreAcrossKernels.Object, CoreTestObjects.BtfOf(kernel), Path.Combine(dir, name + ".bpf.o")));
        var r = ExternalTool.RunWithTimeout("bash", TimeSpan.FromMinutes(10),
            [RepoPaths.Combine("scripts", "verify-on-older-kernels.sh"), "--run", CoreAcrossKernels.Runner, .. objects]);
        output.WriteLine(r.Combined);
        Assert.True(r.ExitCode == 0, r.Combined);
        var kernels = r.StdOut.Split("KERNEL ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, kernels.Length);
        Assert.StartsWith("6.1.", kernels[0]);
        Assert.StartsWith("6.12.", kernels[1]);
        foreach (var (kernel, ours, other) in new[] { (kernels[0], "by_us_for_6_1", "by_us_for_6_12"), (kernels[1], "by_us_for_6_12", "by_us_for_6_1") })
        {
            bool hasRseqLen = !kernel.StartsWith("6.1.");
            foreach (var name in new[] { "core_across_kernels", ours })
            {
                var run = RunOutput(kernel, name);
                Assert.NotEqual(1, run.Ppid);   // the runner's parent is a shell of its own, not init
                run.AssertReadsTheKernelsValues(hasRseqLen);
            }
            // The offsets matter: relocated for the other kernel, the same code reads the wrong parent there.
            var mismatched = RunOutput(kernel, other);
            Assert.NotEqual(mismatched.Ppid, mismatched.Globals["ParentTgid"]);
        }
    }

    /// <summary>What the guest printed for one object, between "RUN name" and "RAN name 0".</summary>
    static CoreAcrossKernels.Run RunOutput(string kernelOutput, string name)
    {
        int start = kernelOutput.IndexOf($"RUN {name}\n", StringComparison.Ordinal);
        int end = kernelOutput.IndexOf($"RAN {name} ", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"no run of {name} in:\n{kernelOutput}");
        Assert.StartsWith($"RAN {name} 0", kernelOutput[end..]);
        return CoreAcrossKernels.Run.Parse(kernelOutput[start..end]);
    }
}
