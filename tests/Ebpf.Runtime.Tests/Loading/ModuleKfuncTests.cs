using System.Buffers.Binary;
using System.Text;
using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.TestSupport;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>Kfuncs of kernel modules, resolved as libbpf resolves them: a FUNC not in vmlinux is looked for in the modules'
/// split BTF (<c>/sys/kernel/btf/&lt;module&gt;</c>), and the call gets the function's id in that BTF and, in <c>off</c>, the
/// index of the module's BTF fd in the load's <c>fd_array</c> (0 being vmlinux). This machine's kernel exposes no module
/// BTF (only <c>/sys/kernel/btf/vmlinux</c>): resolution is tested on split BTF built on the running vmlinux and on
/// Debian's nf_conntrack.ko BTF, and the load side by passing the vmlinux BTF object in fd_array, which the verifier
/// reads and refuses for not being a module's.</summary>
public class ModuleKfuncTests
{
    /// <summary>Split BTF of a module with one kfunc <c>int NAME(int x)</c>: a FUNC_PROTO and a FUNC numbered after
    /// vmlinux's types, names after vmlinux's strings, as the kernel writes module BTF.</summary>
    static byte[] ModuleBtf(BtfSpec vmlinux, string kfunc)
    {
        uint baseStrings = BinaryPrimitives.ReadUInt32LittleEndian(vmlinux.RawBytes.AsSpan(20));
        uint intId = (uint)vmlinux.IdOf(vmlinux.FindTypes<BtfInt>("int").First());
        uint protoId = (uint)vmlinux.Types.Count;
        var strings = Encoding.ASCII.GetBytes("\0x\0" + kfunc + "\0");
        var types = new List<uint>
        {
            0, (13u << 24) | 1, intId, baseStrings + 1, intId,   // FUNC_PROTO int (int x)
            baseStrings + 3, (12u << 24) | 1, protoId,          // FUNC kfunc, global
        };
        var bytes = new byte[24 + types.Count * 4 + strings.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xeB9F);
        bytes[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)types.Count * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), (uint)types.Count * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), (uint)strings.Length);
        for (int i = 0; i < types.Count; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24 + 4 * i), types[i]);
        strings.CopyTo(bytes, 24 + types.Count * 4);
        return bytes;
    }

    [SkippableFact]
    public void Module_kfuncs_resolve_to_the_modules_btf_id_and_fd_array_index_without_load_as_no_module_btf_is_loaded_here()
    {
        Skip.IfNot(File.Exists("/sys/kernel/btf/vmlinux"), "no kernel BTF");
        var vmlinux = KernelBtf.Vmlinux;
        var modules = new (string, Func<BtfSpec>)[]
        {
            ("first_mod", () => BtfSpec.ParseSplit(ModuleBtf(vmlinux, "first_mod_kfunc"), vmlinux)),
            ("second_mod", () => BtfSpec.ParseSplit(ModuleBtf(vmlinux, "second_mod_kfunc"), vmlinux)),
        };

        var inVmlinux = KernelFunctions.Find("bpf_task_release", null, "test", vmlinux, modules);
        Assert.Null(inVmlinux.Module);
        Assert.Equal((uint)vmlinux.IdOf(vmlinux.FindTypes<BtfFunc>("bpf_task_release").Single()), inVmlinux.Id);

        var second = KernelFunctions.Find("second_mod_kfunc", null, "test", vmlinux, modules);
        var first = KernelFunctions.Find("first_mod_kfunc", null, "test", vmlinux, modules);
        Assert.Equal(("second_mod", (uint)vmlinux.Types.Count + 1), (second.Module, second.Id));
        Assert.Equal(("first_mod", (uint)vmlinux.Types.Count + 1), (first.Module, first.Id));
        Assert.Equal("first_mod_kfunc", BtfSpec.ParseSplit(ModuleBtf(vmlinux, "first_mod_kfunc"), vmlinux)[(int)first.Id].Name);

        // Calls in program order: each module gets the next fd_array index on first use; vmlinux stays 0.
        var fdArray = new List<string>();
        var calls = new[] { second, inVmlinux, first, second }.Select(f => DataReferences.KfuncCall(Insn.CallKfunc(), f, fdArray)).ToList();
        Assert.Equal(["second_mod", "first_mod"], fdArray);
        Assert.Equal(new short[] { 1, 0, 2, 1 }, calls.Select(c => c.Offset));
        Assert.All(calls, c => Assert.Equal(CallSource.Kfunc, (CallSource)c.Src));
        Assert.Equal(new long[] { second.Id, inVmlinux.Id, first.Id, second.Id }, calls.Select(c => c.Constant));

        var missing = Assert.Throws<LoadException>(() => KernelFunctions.Find("no_such_kfunc_anywhere", null, "program 'p'", vmlinux, modules));
        Assert.Contains("neither this kernel's BTF nor a loaded module's", missing.Message);
    }

    /// <summary>The load side in the real kernel: a call whose off names fd_array index 1 makes the program load open the
    /// named BTF object (BPF_BTF_GET_NEXT_ID, info name) and pass its fd there. With no module BTF here, the kernel's own
    /// <c>vmlinux</c> BTF object is named: the verifier reads fd_array[1], finds a BTF and refuses it only for not being a
    /// module's (without the array it would say "without fd_array", with a bad fd "invalid module BTF fd").</summary>
    [SkippableFact]
    public void A_module_kfunc_call_passes_its_btf_fd_in_fd_array_which_the_verifier_reads_vmlinux_standing_in_for_a_module()
    {
        Kernel.RequireBpf();
        var spec = new Ebpf.Object.ProgramSpec
        {
            Name = "mod_kfunc", SectionName = "syscall", Type = Ebpf.Object.ProgramType.Syscall,
            Instructions = [Insn.Mov64(Register.R1, 0), Insn.CallKfunc(), Insn.Mov64(Register.R0, 0), Insn.Exit()],
            Relocations = [new Ebpf.Object.Relocation(1, Ebpf.Object.RelocationKind.Kfunc, "bpf_task_release")],
        };
        var linked = ProgramLinker.Link(spec, [spec]);
        DataReferences.Resolve(linked, new Dictionary<string, Map>(), [], null);
        Assert.Empty(linked.KernelModules);                                   // bpf_task_release is vmlinux's
        var call = DataReferences.KfuncCall(linked.Instructions[1], new KernelFunctions.Found((uint)linked.Instructions[1].Constant, "vmlinux"), linked.KernelModules);
        linked.ReplaceInstructions([linked.Instructions[0], call, linked.Instructions[2], linked.Instructions[3]]);
        Assert.Equal(1, call.Offset);

        var e = Assert.ThrowsAny<BpfException>(() => ProgramLoader.Load(ProgramLoader.For(spec, linked, "GPL", 0, null, new ProgramOptions(), null)).Handle.Dispose());
        Assert.Contains("BTF fd for kfunc is not a module BTF", e.ToString());
    }

    /// <summary>A real module's kfuncs: Debian's nf_conntrack.ko (conntrack lookups for XDP and tc) on top of that kernel's
    /// vmlinux, ids as <c>bpftool -B vmlinux btf dump file nf_conntrack</c> numbers them.</summary>
    [Theory]
    [InlineData("6.1.")]
    [InlineData("6.12.")]
    public void Conntrack_kfuncs_of_a_real_module_btf_resolve_to_the_ids_bpftool_prints(string kernel)
    {
        string vmlinuxPath = Core.CoreTestObjects.BtfOf(kernel), modulePath = Core.CoreTestObjects.ModuleBtfOf(kernel);
        var vmlinux = Core.CoreTestObjects.Parse(vmlinuxPath);
        var modules = new (string, Func<BtfSpec>)[] { ("nf_conntrack", () => BtfSpec.ParseSplit(File.ReadAllBytes(modulePath), vmlinux)) };
        var dump = ExternalTool.Run(ExternalTool.Require("bpftool"), "-B", vmlinuxPath, "btf", "dump", "file", modulePath);
        Assert.True(dump.ExitCode == 0, dump.Combined);
        foreach (var name in new[] { "bpf_xdp_ct_lookup", "bpf_skb_ct_lookup", "bpf_ct_release" })
        {
            var found = KernelFunctions.Find(name, null, "test", vmlinux, modules);
            Assert.Equal("nf_conntrack", found.Module);
            Assert.Contains($"[{found.Id}] FUNC '{name}'", dump.StdOut);
        }
    }
}
