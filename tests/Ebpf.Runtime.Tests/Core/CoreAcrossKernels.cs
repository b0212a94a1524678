using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;

namespace Ebpf.Runtime.Tests.Core;

/// <summary>One object built by our compiler from C# that is to run unchanged on 6.1, 6.12 and 6.18: it reads
/// <c>task->real_parent->tgid</c>, the bit-field <c>task->sched_reset_on_fork</c> and <c>task->rseq_len</c>, a field
/// 6.1 lacks (6.3+), guarded by <c>Bpf.CoreFieldExists</c>. Kernel types come from this kernel's BTF
/// (<c>ebpf gen vmlinux task_struct</c>); libbpf or our runtime relocates them for the kernel that loads the object.
/// <see cref="Runner"/> is the static C program that runs it with libbpf (core_probe_runner.c) and
/// <see cref="Run"/> parses what it prints.</summary>
static class CoreAcrossKernels
{
    public const string Source = """
        using Ebpf;
        using Vmlinux;

        public struct NoArgs { public ulong Common; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class CoreAcrossKernels
        {
            static readonly int TargetPid;
            static int Calls;
            static int ParentTgid = -1;
            static int ResetOnForkFirst = -1;
            static int ResetOnForkSecond = -1;
            static int HasRseqLen = -1;
            static int RseqLen = -2;

            [Tracepoint("syscalls", "sys_enter_getppid")]
            static int OnGetppid(in NoArgs args)
            {
                if ((int)(Bpf.GetCurrentPidTgid() >> 32) != TargetPid) return 0;
                var task = (task_struct*)Bpf.GetCurrentTask();
                ParentTgid = task->real_parent->tgid;
                int bit = (int)task->sched_reset_on_fork;
                if (Calls == 0) ResetOnForkFirst = bit;
                else ResetOnForkSecond = bit;
                if (Bpf.CoreFieldExists(in task->rseq_len))
                {
                    HasRseqLen = 1;
                    RseqLen = (int)task->rseq_len;
                }
                else
                {
                    HasRseqLen = 0;
                    RseqLen = -1;
                }
                Calls++;
                return 0;
            }
        }
        """;

    static readonly Lazy<string> ObjectLazy = new(() => Compile(Source, "CoreAcrossKernels", "task_struct", "core_across_kernels"));

    /// <summary>The object, compiled once per test run.</summary>
    public static string Object => ObjectLazy.Value;

    /// <summary>Bit-fields the kernel keeps in an anonymous struct (sk_buff's <c>headers</c> group, flattened by the
    /// generator, found by name by the loaders), one of them (tstamp_type, 6.11+) read only where it exists. Compiled
    /// to compare relocations with libbpf; never run.</summary>
    public const string SkbSource = """
        using Ebpf;
        using Vmlinux;

        public struct NoArgs { public ulong Common; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class SkbBitfields
        {
            static readonly ulong Skb;
            static int PktType, IpSummed, HasTstampType, TstampType, Len;

            [Tracepoint("syscalls", "sys_enter_getppid")]
            static int OnGetppid(in NoArgs args)
            {
                var skb = (sk_buff*)Skb;
                PktType = skb->pkt_type;
                IpSummed = skb->ip_summed;
                if (Bpf.CoreFieldExists(skb->tstamp_type))
                {
                    HasTstampType = 1;
                    TstampType = skb->tstamp_type;
                }
                Len = (int)skb->len;
                return 0;
            }
        }
        """;

    static readonly Lazy<string> SkbObjectLazy = new(() => Compile(SkbSource, "SkbBitfields", "sk_buff", "skb_bitfields"));

    /// <summary><see cref="SkbSource"/> compiled, once per test run.</summary>
    public static string SkbObject => SkbObjectLazy.Value;

    static string Compile(string source, string className, string kernelType, string objectName)
    {
        var vmlinux = VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), [kernelType]);
        var result = BpfCompiler.CompileSources([(source, className + ".cs"), (vmlinux, "Vmlinux.g.cs")]);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        var path = Path.Combine(Directory.CreateTempSubdirectory("ebpf-core-csharp-").FullName, objectName + ".bpf.o");
        File.WriteAllBytes(path, Assert.Single(result.Objects).Elf);
        return path;
    }

    static readonly Lazy<string> RunnerLazy = new(() =>
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("ebpf-core-runner-").FullName, "core_probe_runner");
        var source = Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Core", "core_probe_runner.c");
        var r = ExternalTool.Run(ExternalTool.Require("gcc"), "-O2", "-static", "-Wall", "-Werror", source, "-lbpf", "-lelf", "-lz", "-o", output);
        Assert.True(r.ExitCode == 0, $"building the static libbpf runner failed (libbpf-dev, libelf-dev, zlib1g-dev?):\n{r.Combined}");
        return output;
    });

    /// <summary>core_probe_runner.c built statically against libbpf.a, libelf.a and libz.a.</summary>
    public static string Runner => RunnerLazy.Value;

    /// <summary>What one run printed: the kernel's own answers (EXPECT lines) and the probe's globals (VAR lines).</summary>
    public sealed record Run(IReadOnlyDictionary<string, long> Globals, int Ppid, int ResetOnForkBefore, int ResetOnForkAfter, int RseqLen)
    {
        public static Run Parse(string output)
        {
            var globals = new Dictionary<string, long>();
            int ppid = -1, before = -1, after = -1, rseqLen = -1;
            foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var f = line.Split(' ');
                switch (f)
                {
                    case ["VAR", var name, var value]: globals[name] = long.Parse(value); break;
                    case ["EXPECT", "ppid", var p]: ppid = int.Parse(p); break;
                    case ["EXPECT", "reset_on_fork", var b, var a]: before = int.Parse(b); after = int.Parse(a); break;
                    case ["EXPECT", "rseq_len", var n]: rseqLen = int.Parse(n); break;
                }
            }
            Assert.True(ppid > 0 && globals.Count > 0, "the runner printed no results:\n" + output);
            return new Run(globals, ppid, before, after, rseqLen);
        }

        /// <summary>Asserts that the probe read what the kernel reports otherwise; <paramref name="hasRseqLen"/> says whether
        /// this kernel's task_struct has rseq_len.</summary>
        public void AssertReadsTheKernelsValues(bool hasRseqLen)
        {
            Assert.Equal(2, Globals["Calls"]);
            Assert.Equal(Ppid, Globals["ParentTgid"]);
            Assert.Equal((0, 1), (ResetOnForkBefore, ResetOnForkAfter));
            Assert.Equal(ResetOnForkBefore, Globals["ResetOnForkFirst"]);
            Assert.Equal(ResetOnForkAfter, Globals["ResetOnForkSecond"]);
            Assert.Equal(hasRseqLen ? 1 : 0, Globals["HasRseqLen"]);
            Assert.Equal(hasRseqLen ? RseqLen : -1, Globals["RseqLen"]);
        }
    }
}
