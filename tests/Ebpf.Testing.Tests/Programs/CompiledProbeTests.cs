using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Ebpf.Testing.Maps;

namespace Ebpf.Testing.Tests.Programs;

/// <summary>Probes of every kind compiled from C# by our compiler and run on the interpreter: what a user's unit tests
/// do. <see cref="NonRootRunTests"/> runs this class again as user nobody.</summary>
[Trait("Category", "Interpreter")]
public class CompiledProbeTests
{
    public CompiledProbeTests() => NonRoot.AssertWhenExpected();

    [StructLayout(LayoutKind.Sequential)]
    struct SysEnterOpenatArgs
    {
        public ushort CommonType;
        public byte CommonFlags;
        public byte CommonPreemptCount;
        public int CommonPid;
        public int SyscallNr;
        public long Dfd;
        public ulong Filename;
        public long Flags;
        public long Mode;
    }

    /// <summary>The OpenCounter sample's tracepoint probe (samples/OpenCounter), as the sample's build compiles it.</summary>
    [Fact]
    public void Tracepoint_sample_counts_opens_per_process_and_honours_the_rodata_filter()
    {
        var vm = BpfTestHost.Load(ProbeCompiler.CompileRepoFile("samples", "OpenCounter", "OpenCounter.Probe.cs"));
        var record = new SysEnterOpenatArgs { SyscallNr = 257, Dfd = -100, Filename = 0x7fff_0000 };
        vm.Helpers.GetCurrentPidTgid = () => 42UL << 32 | 43;
        Assert.Equal(0UL, vm.RunTracepoint("OnOpenat", record));
        Assert.Equal(0UL, vm.RunTracepoint("OnOpenat", record));
        vm.Helpers.GetCurrentPidTgid = () => 7UL << 32 | 7;
        vm.RunTracepoint("OnOpenat", record);
        var counts = vm.GetMap<uint, ulong>("Counts");
        Assert.Equal(2UL, counts[42]);
        Assert.Equal(1UL, counts[7]);

        vm.Globals.Set("TargetPid", 7u);       // .rodata, set by user space before load
        vm.Helpers.GetCurrentPidTgid = () => 42UL << 32 | 43;
        vm.RunTracepoint("OnOpenat", record);
        Assert.Equal(2UL, counts[42]);         // filtered out
        Assert.Equal(0UL, vm.Globals.Get<ulong>("Misses"));
    }

    const string KprobeSource = """
        using System.Runtime.CompilerServices;
        using Ebpf;

        public unsafe struct UnlinkEvent { public uint Pid; public int Dfd; public fixed byte Comm[16]; public fixed byte Name[32]; }

        [BpfObject]
        public static unsafe partial class Unlinks
        {
            static readonly HashMap<uint, ulong> PerProcess = new(maxEntries: 64);
            static readonly RingBuffer Events = new(sizeBytes: 4096);

            [Kprobe("do_unlinkat")]
            static int OnUnlink(PtRegs ctx, int dfd, ulong name)
            {
                uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                ref ulong count = ref PerProcess.Lookup(pid);
                if (Unsafe.IsNullRef(ref count)) PerProcess.Update(pid, 1);
                else count++;
                ref UnlinkEvent e = ref Events.Reserve<UnlinkEvent>();
                if (Unsafe.IsNullRef(ref e)) return 0;
                e.Pid = pid;
                e.Dfd = dfd;
                fixed (byte* comm = e.Comm) Bpf.GetCurrentComm(comm, 16);
                fixed (byte* buffer = e.Name) Bpf.ProbeReadUserStr(buffer, 32, (void*)name);
                Events.Submit(ref e);
                return 0;
            }
        }
        """;

    [Fact]
    public void Kprobe_reads_its_arguments_from_pt_regs_and_user_memory_and_publishes_ring_buffer_records()
    {
        var vm = BpfTestHost.Load(ProbeCompiler.Compile(KprobeSource, "Unlinks.cs"));
        vm.Helpers.GetCurrentPidTgid = () => 1234UL << 32 | 1234;
        vm.Helpers.GetCurrentComm = () => "rm";
        vm.Helpers.KernelMemory.AddString(0x7ffd_1000, "/tmp/victim.txt");

        Assert.Equal(0UL, vm.RunKprobe("OnUnlink", unchecked((ulong)-100), 0x7ffd_1000));
        vm.RunKprobe("OnUnlink", 3, 0xdead_0000);   // an unreadable name: probe_read fails, the record still goes out

        Assert.Equal(2UL, vm.GetMap<uint, ulong>("PerProcess")[1234]);
        var records = vm.Map<RingBufferMap>("Events").Take();
        Assert.Equal(2, records.Count);
        Assert.Equal(1234u, BinaryPrimitives.ReadUInt32LittleEndian(records[0]));
        Assert.Equal(-100, BinaryPrimitives.ReadInt32LittleEndian(records[0].AsSpan(4)));
        Assert.Equal("rm", CString(records[0].AsSpan(8, 16)));
        Assert.Equal("/tmp/victim.txt", CString(records[0].AsSpan(24, 32)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(records[1].AsSpan(4)));
        Assert.Equal("", CString(records[1].AsSpan(24, 32)));
    }

    const string LsmSource = """
        using Ebpf;

        [BpfObject]
        public static unsafe partial class Guard
        {
            /// <summary>The inode number no one may open (set by user space).</summary>
            static readonly ulong ProtectedInode;
            static ulong Denied;

            [Lsm("file_open")]
            static int OnFileOpen(TracingContext ctx)
            {
                ulong file = ctx.Arg<ulong>(0);
                ulong inode;
                if (Bpf.ProbeReadKernel(out inode, (void*)(file + 32)) != 0) return 0;
                ulong number;
                if (Bpf.ProbeReadKernel(out number, (void*)(inode + 64)) != 0) return 0;
                if (number != ProtectedInode) return 0;
                Denied++;
                return -1; // -EPERM
            }
        }
        """;

    [Fact]
    public void Lsm_hook_follows_kernel_pointers_in_fake_kernel_memory_and_denies()
    {
        var vm = BpfTestHost.Load(ProbeCompiler.Compile(LsmSource, "Guard.cs"));
        vm.Globals.Set("ProtectedInode", 4242UL);
        // struct file at 0xffff_8000_0000_1000 whose f_inode (offset 32 here) points at an inode whose i_ino (64) is 4242.
        var file = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(32), 0xffff_8000_0000_2000);
        var inode = new byte[128];
        BinaryPrimitives.WriteUInt64LittleEndian(inode.AsSpan(64), 4242);
        vm.Helpers.KernelMemory.Add(0xffff_8000_0000_1000, file).Add(0xffff_8000_0000_2000, inode);

        Assert.Equal(-1, vm.RunLsm("OnFileOpen", 0xffff_8000_0000_1000));
        Assert.Equal(0, vm.RunLsm("OnFileOpen", 0xffff_8000_0000_9000));   // unreadable: allowed
        BinaryPrimitives.WriteUInt64LittleEndian(inode.AsSpan(64), 7);
        Assert.Equal(0, vm.RunLsm("OnFileOpen", 0xffff_8000_0000_1000));
        Assert.Equal(1UL, vm.Globals.Get<ulong>("Denied"));
    }

    /// <summary>The XdpFilter sample (samples/XdpFilter): drops UDP to blocked ports, counts verdicts.</summary>
    [Fact]
    public void Xdp_sample_drops_blocked_udp_ports_and_counts()
    {
        var vm = BpfTestHost.Load(ProbeCompiler.CompileRepoFile("samples", "XdpFilter", "XdpFilter.Probe.cs"));
        vm.GetMap<ushort, byte>("BlockedPorts")[53] = 1;

        Assert.Equal(XdpAction.Drop, vm.RunXdp("Filter", Udp(53)).Action);
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Filter", Udp(80)).Action);
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Filter", Udp(53)[..20]).Action);   // truncated: bounds checks pass it
        var stats = vm.GetMap<uint, ulong>("Stats");
        Assert.Equal(2UL, stats[0]);
        Assert.Equal(1UL, stats[1]);
    }

    static byte[] Udp(ushort port)
    {
        var p = new byte[14 + 20 + 8];
        p[12] = 0x08; p[13] = 0x00;                      // IPv4
        p[14] = 0x45; p[14 + 9] = 17;                    // IHL 5, UDP
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14 + 20 + 2), port);
        return p;
    }

    static string CString(ReadOnlySpan<byte> bytes)
    {
        int zero = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(zero < 0 ? bytes : bytes[..zero]);
    }
}
