using System.Buffers.Binary;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Packet parsing the verifier must follow: a loop over VLAN tags with a variable offset,
/// reads at offsets computed from header fields, and direct pointer access in unsafe code.</summary>
public class PacketParsingKernelTests
{
    const string Source = """
        using System.Buffers.Binary;
        using Ebpf;

        [BpfObject]
        public static unsafe partial class Parser
        {
            static ulong LastProtocol;
            static ulong Tags;

            /// <summary>Skips up to three VLAN tags; drops IPv6, passes anything else.</summary>
            [Xdp]
            static XdpAction SkipVlans(XdpContext ctx)
            {
                int offset = 12;
                ushort protocol = 0;
                int tags = 0;
                for (int i = 0; i < 3; i++)
                {
                    if (!ctx.TryRead(offset, out ushort raw)) return XdpAction.Aborted;
                    protocol = BinaryPrimitives.ReverseEndianness(raw);
                    if (protocol != 0x8100 && protocol != 0x88a8) break;
                    offset += 4;
                    tags++;
                }
                LastProtocol = protocol;
                Tags = (ulong)tags;
                return protocol == 0x86dd ? XdpAction.Drop : XdpAction.Pass;
            }

            /// <summary>The same check with raw packet pointers.</summary>
            [Xdp]
            static XdpAction Pointers(XdpContext ctx)
            {
                byte* data = ctx.Data;
                byte* end = ctx.DataEnd;
                if (data + 14 > end) return XdpAction.Aborted;
                ushort protocol = BinaryPrimitives.ReverseEndianness(*(ushort*)(data + 12));
                byte* next = data + 14;
                if (protocol == 0x8100)
                {
                    if (next + 4 > end) return XdpAction.Aborted;
                    protocol = BinaryPrimitives.ReverseEndianness(*(ushort*)(next + 2));
                    next += 4;
                }
                LastProtocol = protocol;
                Tags = (ulong)(next - data);
                return protocol == 0x86dd ? XdpAction.Drop : XdpAction.Pass;
            }
        }
        """;

    static byte[] Frame(params ushort[] types)
    {
        // types: the ethertypes in order (VLAN tags as 0x8100 followed by their TCI, then the payload type).
        var p = new byte[12 + 4 * (types.Length - 1) + 2 + 20];
        int at = 12;
        for (int i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(at), types[i]);
            at += i < types.Length - 1 ? 4 : 2;
        }
        return p;
    }

    [SkippableFact]
    public void Vlan_loop_with_variable_offsets()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Parser.cs");
        Assert.Equal(1u, probe.RunXdp("SkipVlans", Frame(0x86dd)));
        Assert.Equal((0x86ddUL, 0UL), (probe.Global<ulong>("LastProtocol"), probe.Global<ulong>("Tags")));
        Assert.Equal(1u, probe.RunXdp("SkipVlans", Frame(0x8100, 0x88a8, 0x86dd)));
        Assert.Equal((0x86ddUL, 2UL), (probe.Global<ulong>("LastProtocol"), probe.Global<ulong>("Tags")));
        Assert.Equal(2u, probe.RunXdp("SkipVlans", Frame(0x8100, 0x0800)));
        Assert.Equal((0x0800UL, 1UL), (probe.Global<ulong>("LastProtocol"), probe.Global<ulong>("Tags")));
        Assert.Equal(0u, probe.RunXdp("SkipVlans", Frame(0x8100, 0x8100, 0x8100, 0x8100)[..20])); // truncated: Aborted
    }

    [SkippableFact]
    public void Direct_packet_pointers()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Parser.cs");
        Assert.Equal(1u, probe.RunXdp("Pointers", Frame(0x8100, 0x86dd)));
        Assert.Equal((0x86ddUL, 18UL), (probe.Global<ulong>("LastProtocol"), probe.Global<ulong>("Tags")));
        Assert.Equal(2u, probe.RunXdp("Pointers", Frame(0x0800)));
        Assert.Equal((0x0800UL, 14UL), (probe.Global<ulong>("LastProtocol"), probe.Global<ulong>("Tags")));
    }
}
