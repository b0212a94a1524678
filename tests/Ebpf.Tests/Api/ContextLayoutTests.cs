using System.Reflection;
using System.Runtime.CompilerServices;
using Ebpf.TestSupport;

namespace Ebpf.Tests.Api;

/// <summary>The context offsets the compiler reads from [ContextField]/[ContextArgument]/[ContextReturnValue],
/// checked against the kernel UAPI headers by compiling offsetof() with clang.</summary>
public class ContextLayoutTests
{
    static readonly Lazy<Dictionary<string, (int Offset, int Size)>> CLayout = new(MeasureWithClang);

    /// <summary>C field for each context property (x86-64 UAPI pt_regs uses the r-names).</summary>
    static readonly Dictionary<(Type, string), string> CField = new()
    {
        [(typeof(XdpContext), nameof(XdpContext.Data))] = "xdp_md.data",
        [(typeof(XdpContext), nameof(XdpContext.DataEnd))] = "xdp_md.data_end",
        [(typeof(XdpContext), nameof(XdpContext.DataMeta))] = "xdp_md.data_meta",
        [(typeof(XdpContext), nameof(XdpContext.IngressIfindex))] = "xdp_md.ingress_ifindex",
        [(typeof(XdpContext), nameof(XdpContext.RxQueueIndex))] = "xdp_md.rx_queue_index",
        [(typeof(XdpContext), nameof(XdpContext.EgressIfindex))] = "xdp_md.egress_ifindex",
        [(typeof(PerfEventContext), nameof(PerfEventContext.Ip))] = "bpf_perf_event_data.regs.rip",
        [(typeof(PerfEventContext), nameof(PerfEventContext.Sp))] = "bpf_perf_event_data.regs.rsp",
        [(typeof(PerfEventContext), nameof(PerfEventContext.SamplePeriod))] = "bpf_perf_event_data.sample_period",
        [(typeof(PerfEventContext), nameof(PerfEventContext.Addr))] = "bpf_perf_event_data.addr",
    };

    static string SkBuffField(string property) => "__sk_buff." + property switch
    {
        "Cb0" => "cb[0]", "Cb1" => "cb[1]", "Cb2" => "cb[2]", "Cb3" => "cb[3]", "Cb4" => "cb[4]",
        _ => string.Concat(property.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsDigit(property[i - 1]) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))
            .Replace("ip_4", "ip4").Replace("ip4", "ip4"),
    };

    static string PtRegsField(string property) => "pt_regs." + property.ToLowerInvariant() switch
    {
        "r8" or "r9" or "r10" or "r11" or "r12" or "r13" or "r14" or "r15" or "cs" or "ss" => property.ToLowerInvariant(),
        "flags" => "eflags",
        "origax" => "orig_rax",
        var r => "r" + r,
    };

    static Dictionary<string, (int, int)> MeasureWithClang()
    {
        var fields = new List<string>(CField.Values);
        fields.AddRange(ContextProperties(typeof(SkBuffContext)).Select(p => SkBuffField(p.Name)));
        fields.AddRange(ContextProperties(typeof(PtRegs)).Select(p => PtRegsField(p.Name)));
        fields.AddRange(["pt_regs.rdi", "pt_regs.rsi", "pt_regs.rdx", "pt_regs.rcx", "pt_regs.r8", "pt_regs.r9", "pt_regs.rax"]);
        var lines = fields.Distinct().Select(f =>
        {
            int dot = f.IndexOf('.');
            string type = f[..dot], member = f[(dot + 1)..];
            return $"printf(\"{f} %zu %zu\\n\", offsetof(struct {type}, {member}), sizeof(((struct {type}*)0)->{member}));";
        });
        string source = "#include <stddef.h>\n#include <stdio.h>\n#include <linux/bpf.h>\n#include <linux/bpf_perf_event.h>\n#include <asm/ptrace.h>\n"
            + "int main(void) {\n" + string.Join("\n", lines) + "\nreturn 0; }\n";
        var dir = Directory.CreateTempSubdirectory("ebpf-layout");
        try
        {
            string c = Path.Combine(dir.FullName, "layout.c"), exe = Path.Combine(dir.FullName, "layout");
            File.WriteAllText(c, source);
            var compile = ExternalTool.Run(ExternalTool.Require("clang"), "-o", exe, c);
            Assert.True(compile.ExitCode == 0, compile.Combined);
            var run = ExternalTool.Run(exe);
            Assert.True(run.ExitCode == 0, run.Combined);
            return run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' '))
                .ToDictionary(p => p[0], p => (int.Parse(p[1]), int.Parse(p[2])));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    static IEnumerable<PropertyInfo> ContextProperties(Type type) =>
        type.GetProperties().Where(p => p.GetCustomAttribute<ContextFieldAttribute>() is not null);

    void AssertField(string cField, ContextFieldAttribute attribute, string what)
    {
        Assert.True(CLayout.Value.TryGetValue(cField, out var c), $"{cField} not measured");
        Assert.True((c.Offset, c.Size) == (attribute.Offset, attribute.Size),
            $"{what}: [ContextField({attribute.Offset}, {attribute.Size})] but {cField} is at {c.Offset}, {c.Size} bytes");
    }

    [Fact]
    public void Xdp_and_perf_event_fields_match_the_uapi()
    {
        foreach (var ((type, property), cField) in CField)
            AssertField(cField, type.GetProperty(property)!.GetCustomAttribute<ContextFieldAttribute>()!, $"{type.Name}.{property}");
    }

    [Fact]
    public void Sk_buff_fields_match_the_uapi()
    {
        var properties = ContextProperties(typeof(SkBuffContext)).ToList();
        Assert.True(properties.Count >= 30);
        foreach (var p in properties) AssertField(SkBuffField(p.Name), p.GetCustomAttribute<ContextFieldAttribute>()!, p.Name);
    }

    [Fact]
    public void Pt_regs_fields_match_the_uapi()
    {
        Assert.Equal(CLayout.Value["pt_regs.ss"].Offset + 8, Unsafe.SizeOf<PtRegs>());
        foreach (var p in ContextProperties(typeof(PtRegs))) AssertField(PtRegsField(p.Name), p.GetCustomAttribute<ContextFieldAttribute>()!, p.Name);
    }

    [Fact]
    public void Pt_regs_arguments_follow_the_system_v_registers()
    {
        int[] registers = new[] { "pt_regs.rdi", "pt_regs.rsi", "pt_regs.rdx", "pt_regs.rcx", "pt_regs.r8", "pt_regs.r9" }
            .Select(r => CLayout.Value[r].Offset).ToArray();
        foreach (var type in new[] { typeof(PtRegs), typeof(PerfEventContext) })
            Assert.Equal(registers, type.GetMethod("Arg")!.GetCustomAttribute<ContextArgumentAttribute>()!.Offsets);
        Assert.Equal(CLayout.Value["pt_regs.rax"].Offset, typeof(PtRegs).GetMethod("ReturnValue")!.GetCustomAttribute<ContextReturnValueAttribute>()!.Offset);
    }

    [Fact]
    public void Contexts_are_unmanaged_values_like_the_kernels_pointer()
    {
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<XdpContext>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<SkBuffContext>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<PtRegs>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<RawTracepointContext>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<TracingContext>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<PerfEventContext>());
    }

    [Fact]
    public void Packet_accessors_name_the_data_fields()
    {
        var xdp = typeof(XdpContext).GetMethod(nameof(XdpContext.TryRead))!.GetCustomAttribute<PacketReadAttribute>()!;
        Assert.Equal((CLayout.Value["xdp_md.data"].Offset, CLayout.Value["xdp_md.data_end"].Offset), (xdp.DataOffset, xdp.DataEndOffset));
        var skb = typeof(SkBuffContext).GetMethod(nameof(SkBuffContext.TryRead))!.GetCustomAttribute<PacketReadAttribute>()!;
        Assert.Equal((CLayout.Value["__sk_buff.data"].Offset, CLayout.Value["__sk_buff.data_end"].Offset), (skb.DataOffset, skb.DataEndOffset));
        Assert.Equal(26, skb.LoadBytesHelper);   // bpf_skb_load_bytes for socket filters
        var write = typeof(SkBuffContext).GetMethod(nameof(SkBuffContext.TryWrite))!.GetCustomAttribute<PacketWriteAttribute>()!;
        Assert.Equal((skb.DataOffset, skb.DataEndOffset), (write.DataOffset, write.DataEndOffset));
    }
}
