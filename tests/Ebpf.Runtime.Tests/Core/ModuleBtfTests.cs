using Ebpf.Btf;
using Ebpf.Btf.Core;

namespace Ebpf.Runtime.Tests.Core;

/// <summary>Kernel module BTF is split BTF on top of vmlinux. This kernel has no module BTF (no modules), so the
/// module of Debian's kernels is used: nf_conntrack.ko's .BTF, parsed on top of that kernel's vmlinux BTF, compared
/// with <c>bpftool -B vmlinux btf dump file module</c>, and CO-RE relocations resolved in it.</summary>
public class ModuleBtfTests
{
    [Theory]
    [InlineData("6.1.")]
    [InlineData("6.12.")]
    public void Module_split_BTF_parses_to_what_bpftool_prints(string kernel)
    {
        string vmlinuxPath = CoreTestObjects.BtfOf(kernel), modulePath = CoreTestObjects.ModuleBtfOf(kernel);
        var vmlinux = CoreTestObjects.Parse(vmlinuxPath);
        var module = BtfSpec.ParseSplit(File.ReadAllBytes(modulePath), vmlinux);
        var r = ExternalTool.Run(ExternalTool.Require("bpftool"), "-B", vmlinuxPath, "btf", "dump", "file", modulePath);
        Assert.True(r.ExitCode == 0, r.Combined);
        var ours = string.Join('\n', Enumerable.Range(vmlinux.Types.Count, module.Types.Count - vmlinux.Types.Count).Select(id => BtfDump.FormatType(module, id)));
        Assert.Equal(r.StdOut.TrimEnd('\n'), ours);
    }

    [Theory]
    [InlineData("6.1.")]
    [InlineData("6.12.")]
    public void A_type_only_the_module_has_is_found_in_the_module(string kernel)
    {
        var vmlinux = CoreTestObjects.Parse(CoreTestObjects.BtfOf(kernel));
        var module = BtfSpec.ParseSplit(File.ReadAllBytes(CoreTestObjects.ModuleBtfOf(kernel)), vmlinux);
        Assert.Null(vmlinux.FindType<BtfStruct>("nf_conntrack_expect_policy"));
        var inModule = module.FindType<BtfStruct>("nf_conntrack_expect_policy")!;

        // What a program compiled against its own view of the struct asks: timeout's offset, name's size.
        var uint32 = new BtfInt("unsigned int", 4, isSigned: false);
        var local = new BtfStruct("nf_conntrack_expect_policy___mine", 8);
        local.Members.Add(new("timeout", uint32, 0));
        local.Members.Add(new("name", new BtfArray(new BtfInt("char", 1, false, isChar: true), 16), 32));
        var b = new BtfBuilder(); b.Add(local); var localSpec = b.Build();
        var target = new CoreTarget(new CoreTargetBtf("vmlinux", vmlinux), [new CoreTargetBtf("nf_conntrack", module, vmlinux.Types.Count)]);
        var fixups = CoreRelocator.ComputeFixups("p", [
            new BtfCoreRelocation(0, local, "0:0", BtfCoreRelocationKind.FieldByteOffset),
            new BtfCoreRelocation(1, local, "0:1", BtfCoreRelocationKind.FieldByteSize),
            new BtfCoreRelocation(2, local, "0", BtfCoreRelocationKind.TypeIdTarget),
        ], localSpec, target);

        var timeout = inModule.Members.Single(m => m.Name == "timeout");
        var name = inModule.Members.Single(m => m.Name == "name");
        Assert.Equal(timeout.BitOffset / 8, fixups[0].TargetValue);
        Assert.Equal(BtfLayout.SizeOf(name.Type), fixups[1].TargetValue);
        Assert.Equal((ulong)module.IdOf(inModule), fixups[2].TargetValue);
        Assert.True(fixups[2].TargetValue >= (ulong)vmlinux.Types.Count);
        Assert.StartsWith("nf_conntrack [", fixups[0].Target);

        // Without the module, the type is missing: the offset is poisoned.
        var vmlinuxOnly = CoreRelocator.ComputeFixups("p", [new BtfCoreRelocation(0, local, "0:0", BtfCoreRelocationKind.FieldByteOffset)], localSpec, CoreTarget.Of(vmlinux));
        Assert.True(vmlinuxOnly[0].Poison);
    }
}
