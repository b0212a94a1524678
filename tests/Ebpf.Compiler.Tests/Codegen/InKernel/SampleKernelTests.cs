using System.Buffers.Binary;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>The two samples, compiled by this code generator, accepted by the kernel verifier and
/// behaving as their C# says.</summary>
public class SampleKernelTests
{
    static string Sample(string name) => File.ReadAllText(RepoPaths.Combine("samples", name, name + ".Probe.cs"));

    /// <summary>Ethernet + IPv4 (with <paramref name="ihl"/> 32-bit words of header) + UDP to <paramref name="port"/>.</summary>
    static byte[] UdpPacket(ushort port, int ihl = 5, ushort etherType = 0x0800, byte protocol = 17, int truncateTo = -1)
    {
        int ipLength = ihl * 4;
        var p = new byte[14 + ipLength + 8 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12), etherType);
        p[14] = (byte)(0x40 | ihl);
        p[14 + 9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14 + ipLength), 12345);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14 + ipLength + 2), port);
        return truncateTo < 0 ? p : p[..truncateTo];
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void XdpFilter_drops_udp_to_blocked_ports_and_counts_both_verdicts(bool storeImmediates)
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Sample("XdpFilter"), "XdpFilter.Probe.cs",
            codegen: new Compiler.Codegen.FunctionCompilerOptions { StoreImmediates = storeImmediates });
        var blocked = probe.Collection.Maps["BlockedPorts"];
        var key = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(key, 53);
        blocked.Update(key, new byte[] { 1 });

        const uint Drop = 1, Pass = 2;
        Assert.Equal(Drop, probe.RunXdp("Filter", UdpPacket(53)));
        Assert.Equal(Drop, probe.RunXdp("Filter", UdpPacket(53, ihl: 7)));   // options: the UDP header moves
        Assert.Equal(Pass, probe.RunXdp("Filter", UdpPacket(54)));
        Assert.Equal(Pass, probe.RunXdp("Filter", UdpPacket(53, etherType: 0x86dd)));
        Assert.Equal(Pass, probe.RunXdp("Filter", UdpPacket(53, protocol: 6)));
        Assert.Equal(Pass, probe.RunXdp("Filter", UdpPacket(53, ihl: 4)));   // header length below 20: invalid
        Assert.Equal(Pass, probe.RunXdp("Filter", UdpPacket(53, truncateTo: 14 + 20 + 3)));  // UDP header cut

        var stats = probe.Collection.Maps["Stats"];
        ulong Counter(uint slot) => BinaryPrimitives.ReadUInt64LittleEndian(stats.Lookup(BitConverter.GetBytes(slot))!);
        Assert.Equal(5UL, Counter(0));
        Assert.Equal(2UL, Counter(1));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void OpenCounter_is_accepted_by_the_verifier(bool storeImmediates)
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Sample("OpenCounter"), "OpenCounter.Probe.cs",
            codegen: new Compiler.Codegen.FunctionCompilerOptions { StoreImmediates = storeImmediates });
        Assert.Contains("OnOpenat", probe.Collection.Programs.Keys);
        Assert.True(probe.Program("OnOpenat").GetInfo().XlatedLength > 0);
    }

    /// <summary>OpenCounter attached to syscalls/sys_enter_openat counts this process's opens exactly
    /// (TargetPid set in .rodata before load, as user space does) and nobody else's.</summary>
    [SkippableFact]
    public void OpenCounter_counts_the_opens_of_the_target_process()
    {
        Kernel.RequireTracefs();
        int pid = Environment.ProcessId;
        using var probe = LoadedProbe.Load(Sample("OpenCounter"), "OpenCounter.Probe.cs", spec => spec.SetVariable("TargetPid", (uint)pid));
        var counts = probe.Collection.Maps["Counts"];
        var file = Path.GetTempFileName();
        try
        {
            using (probe.Program("OnOpenat").Attach())
            {
                for (int i = 0; i < 5; i++) File.ReadAllBytes(file);
            }
            var value = counts.Lookup(BitConverter.GetBytes((uint)pid)) ?? throw new Xunit.Sdk.XunitException("no count for this process");
            Assert.True(BinaryPrimitives.ReadUInt64LittleEndian(value) >= 5, "at least the five opens of the loop");
            Assert.Single(counts.Keys); // only the target process
        }
        finally
        {
            File.Delete(file);
        }
    }
}
