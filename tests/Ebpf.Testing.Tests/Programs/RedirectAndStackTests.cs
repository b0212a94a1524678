using Ebpf.Testing.Maps;

namespace Ebpf.Testing.Tests.Programs;

/// <summary>Redirects (devmap, bpf_redirect from XDP and tc) and stack traces (stack trace map, bpf_get_stack), compiled
/// from C# and run on the interpreter; the expected values are what the same C# gives on .NET.</summary>
[Trait("Category", "Interpreter")]
public class RedirectAndStackTests
{
    public RedirectAndStackTests() => NonRoot.AssertWhenExpected();

    const string Source = """
        using Ebpf;

        public struct Openat { public ulong Common; public int SyscallNr; public long Dfd; public ulong Filename; public long Flags; public long Mode; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class Forward
        {
            static readonly DevMap Ports = new(maxEntries: 4);
            static readonly StackTraceMap Stacks = new(maxEntries: 64);
            static long LastId, StackBytes, FlaggedBytes;
            static ulong Innermost, AskedFlags, FlaggedFirst;

            [Xdp]
            static XdpAction ByQueue(XdpContext ctx) => Ports.Redirect(ctx.RxQueueIndex, XdpAction.Pass);

            [Xdp]
            static XdpAction ToNine(XdpContext ctx) => (XdpAction)Bpf.Redirect(9, 0);

            [Tc(TcDirection.Ingress)]
            static TcAction Mirror(SkBuffContext skb) => (TcAction)Bpf.Redirect(7, RedirectFlags.Ingress);

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpenat(in Openat args)
            {
                LastId = Bpf.GetStackid(args, Stacks, 0);
                ulong* frames = stackalloc ulong[4];
                StackBytes = Bpf.GetStack(args, frames, 32, (StackFlags)1);
                Innermost = frames[0];
                return 0;
            }

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int StackWithFlags(in Openat args)
            {
                ulong* frames = stackalloc ulong[2];
                frames[0] = ulong.MaxValue;
                FlaggedBytes = Bpf.GetStack(args, frames, 16, (StackFlags)AskedFlags);
                FlaggedFirst = frames[0];
                return 0;
            }
        }
        """;

    static BpfVm Load() => BpfTestHost.Load(ProbeCompiler.Compile(Source, "Forward.cs"));

    [Fact]
    public void Devmap_redirect_goes_to_the_stored_target_and_falls_back_where_none_is()
    {
        var vm = Load();
        vm.Maps["Ports"].Update(BitConverter.GetBytes(1u), BitConverter.GetBytes(3u));   // ifindex 3 under key 1
        var hit = vm.RunXdp("ByQueue", new byte[64], rxQueueIndex: 1);
        Assert.Equal(XdpAction.Redirect, hit.Action);
        Assert.Equal(new PacketRedirect("Ports", 1, 2), hit.Redirect);                 // flags carry the fallback (XDP_PASS)
        var miss = vm.RunXdp("ByQueue", new byte[64], rxQueueIndex: 2);
        Assert.Equal(XdpAction.Pass, miss.Action);
        Assert.Null(miss.Redirect);
        Assert.Throws<InvalidOperationException>(() => vm.Maps["Ports"].Update(BitConverter.GetBytes(4u), BitConverter.GetBytes(3u)));   // -E2BIG

        var managed = new DevMap(maxEntries: 4);
        managed.Set(1, 3);
        Assert.Equal(XdpAction.Redirect, managed.Redirect(1, XdpAction.Pass));
        Assert.Equal(XdpAction.Pass, managed.Redirect(2, XdpAction.Pass));
    }

    [Fact]
    public void Bpf_redirect_answers_as_the_program_type_does_and_records_the_interface()
    {
        var vm = Load();
        var xdp = vm.RunXdp("ToNine", new byte[64]);
        Assert.Equal(XdpAction.Redirect, xdp.Action);
        Assert.Equal(new PacketRedirect(null, 9, 0), xdp.Redirect);
        var tc = vm.RunSkb("Mirror", new byte[64]);
        Assert.Equal((ulong)TcAction.Redirect, tc.ReturnValue);
        Assert.Equal(new PacketRedirect(null, 7, 1), tc.Redirect);
    }

    [Fact]
    public void Stack_ids_are_stable_per_stack_and_get_stack_copies_after_the_skipped_frames()
    {
        var vm = Load();
        ulong[] first = [0xffff_ffff_8100_0010, 0xffff_ffff_8100_0020, 0xffff_ffff_8100_0030];
        vm.Helpers.KernelStack = () => first;
        vm.Run("OnOpenat", new byte[48]);
        long id = vm.Globals.Get<long>("LastId");
        Assert.InRange(id, 0, 63);
        Assert.Equal(16L, vm.Globals.Get<long>("StackBytes"));                        // 3 frames, 1 skipped
        Assert.Equal(first[1], vm.Globals.Get<ulong>("Innermost"));
        var stacks = vm.Map<StackTraceTable>("Stacks");
        Assert.Equal(first, stacks.LookupStack((uint)id));
        vm.Run("OnOpenat", new byte[48]);
        Assert.Equal(id, vm.Globals.Get<long>("LastId"));                             // the same stack, the same id
        vm.Helpers.KernelStack = () => [];
        vm.Run("OnOpenat", new byte[48]);
        Assert.Equal(-14L, vm.Globals.Get<long>("LastId"));                            // -EFAULT: no frames, as on .NET

        var managed = new StackTraceMap(maxEntries: 64);
        Assert.Equal(-14L, managed.StoreStack([], StackFlags.None));
    }

    [Fact]
    public void Get_stack_takes_and_refuses_the_flags_dotnet_does()
    {
        ulong[] kernel = [10, 20, 30], user = [0x400000];
        var vm = Load();
        vm.Helpers.KernelStack = () => kernel;
        vm.Helpers.UserStack = () => user;
        using var _ = BpfEnvironment.Use(new BpfEnvironment { KernelStack = kernel, UserStack = user });
        ulong[] cases =
        [
            0, 1,
            3,              // skips the whole stack
            1UL << 8,       // BPF_F_USER_STACK
            1UL << 9,       // BPF_F_FAST_STACK_CMP: get_stackid's, refused
            1UL << 11,      // a build id without the user stack: refused
            1UL << 40,
        ];
        foreach (ulong flags in cases)
        {
            vm.Globals.Set("AskedFlags", flags);
            vm.Run("StackWithFlags", new byte[48]);
            var frames = new ulong[] { ulong.MaxValue, 0 };
            long bytes = Bpf.GetStack(0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(frames.AsSpan()), (StackFlags)flags);
            Assert.True(bytes == vm.Globals.Get<long>("FlaggedBytes"), $"flags 0x{flags:x}: .NET {bytes}, interpreter {vm.Globals.Get<long>("FlaggedBytes")}");
            Assert.True(frames[0] == vm.Globals.Get<ulong>("FlaggedFirst"), $"flags 0x{flags:x}: first slot differs");
        }
    }
}
