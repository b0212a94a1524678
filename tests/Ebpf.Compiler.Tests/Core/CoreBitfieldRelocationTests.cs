using System.Runtime.InteropServices;
using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>Bit-field reads compiled from C# (<c>p->field</c> on a <c>[Bitfield]</c> property), relocated by our runtime
/// for a struct laid out differently from the one the probe was compiled with, run in the kernel and compared with
/// .NET reading the same bytes (<see cref="CoreBitfield.Read"/>, what the generated property does): unsigned and
/// signed fields, moved, and needing 1-, 2-, 4- and 8-byte loads in the target. The target layout is a BTF file
/// (<see cref="CoreOptions.KernelBtfPath"/>), as libbpf's selftests relocate test structs with btf_custom_path.</summary>
public partial class CoreBitfieldRelocationTests(ITestOutputHelper output)
{
    /// <summary>A bit-field: name, storage type, bit offset and width.</summary>
    sealed record Field(string Name, BtfInt Storage, uint BitOffset, uint Bits);

    static readonly BtfInt U8 = new("unsigned char", 1, isSigned: false), S8 = new("signed char", 1, isSigned: true);
    static readonly BtfInt U32 = new("unsigned int", 4, isSigned: false), S32 = new("int", 4, isSigned: true);

    /// <summary>The layout the probe is compiled with (packed as a C compiler would).</summary>
    static readonly Field[] Local =
    [
        new("ub1", U8, 0, 1), new("ub2", U8, 1, 2), new("ub7", U32, 3, 7), new("sb4", S8, 10, 4), new("sb20", S32, 14, 20),
    ];

    /// <summary>The layout of the "kernel": every field moved; ub7 straddles a 4-byte boundary (an 8-byte load), sb4 a
    /// byte boundary (2 bytes), ub2 and ub1 in one byte, sb20 in an aligned word.</summary>
    static readonly Field[] Target =
    [
        new("ub7", U32, 28, 7), new("sb4", S8, 70, 4), new("ub2", U8, 101, 2), new("ub1", U8, 130, 1), new("sb20", S32, 163, 20),
    ];

    static BtfSpec Layout(Field[] fields)
    {
        var s = new BtfStruct("core_bitfields", 32);
        foreach (var f in fields) s.Members.Add(new BtfMember(f.Name, f.Storage, f.BitOffset, f.Bits));
        var b = new BtfBuilder();
        b.Add(s);
        return b.Build();
    }

    const string Probe = """
        using System.Runtime.CompilerServices;
        using Ebpf;
        using Vmlinux;

        public struct NoArgs { public ulong Common; }
        public unsafe struct Blob { public fixed byte Bytes[32]; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class BitfieldMix
        {
            static readonly int TargetPid;
            static readonly ArrayMap<Blob> Data = new(maxEntries: 1);
            static long Ub1 = -100, Ub2 = -100, Ub7 = -100, Sb4 = -100, Sb20 = -100;

            [Tracepoint("syscalls", "sys_enter_getppid")]
            static int OnGetppid(in NoArgs args)
            {
                if ((int)(Bpf.GetCurrentPidTgid() >> 32) != TargetPid) return 0;
                ref Blob blob = ref Data.Lookup(0);
                if (Unsafe.IsNullRef(ref blob)) return 0;
                fixed (byte* bytes = blob.Bytes)
                {
                    var p = (core_bitfields*)bytes;
                    Ub1 = p->ub1;
                    Ub2 = p->ub2;
                    Ub7 = p->ub7;
                    Sb4 = p->sb4;
                    Sb20 = p->sb20;
                }
                return 0;
            }
        }
        """;

    [SkippableFact]
    public void Relocated_for_another_layout_the_kernel_reads_each_bitfield_as_dotnet_does()
    {
        Kernel.RequireTracefs();
        var vmlinux = VmlinuxGenerator.Generate(Layout(Local), ["core_bitfields"]);
        var compiled = BpfCompiler.CompileSources([(Probe, "BitfieldMix.cs"), (vmlinux, "Vmlinux.g.cs")]);
        Assert.True(compiled.Success, "compilation failed:\n" + string.Join("\n", compiled.Diagnostics));
        var dir = Directory.CreateTempSubdirectory("ebpf-core-bitfields-").FullName;
        var btfPath = Path.Combine(dir, "target.btf");
        File.WriteAllBytes(btfPath, Layout(Target).RawBytes);
        var objectPath = Path.Combine(dir, "bitfield_mix.bpf.o");
        File.WriteAllBytes(objectPath, Assert.Single(compiled.Objects).Elf);

        var spec = ElfObjectReader.Read(File.ReadAllBytes(objectPath));
        spec.SetVariable("TargetPid", Environment.ProcessId);
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "core_bits", Core = new CoreOptions { KernelBtfPath = btfPath } });
        var program = collection.GetProgram("OnGetppid");
        Assert.Equal(5 * 5, program.Code.CoreFixups.Count);
        foreach (var f in program.Code.CoreFixups) output.WriteLine(f.ToString());
        // The load sizes the target layout needs, as patched.
        Assert.Equal([1ul, 1ul, 2ul, 4ul, 8ul], program.Code.CoreFixups.Where(f => f.Kind == BtfCoreRelocationKind.FieldByteSize).Select(f => f.TargetValue).Order());

        var random = new Random(7);
        for (int round = 0; round < 16; round++)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            if (round == 0) Array.Fill(bytes, (byte)0xff);   // every signed field negative
            collection.Maps["Data"].Update(new byte[4], bytes);
            using (program.Attach()) getppid();
            var blob = new Blob32();
            bytes.CopyTo(blob);
            foreach (var f in Target)
            {
                long expected = (long)CoreBitfield.Read(in blob, (int)f.BitOffset, (int)f.Bits, f.Storage.IsSigned);
                long actual = collection.ReadVariable<long>(char.ToUpperInvariant(f.Name[0]) + f.Name[1..]);
                Assert.True(expected == actual, $"round {round}: {f.Name} read {actual} in the kernel, {expected} in .NET");
            }
        }
    }

    [LibraryImport("libc")]
    private static partial int getppid();

    /// <summary>The 32 bytes of the test blob as the struct <see cref="CoreBitfield.Read"/> takes.</summary>
    [System.Runtime.CompilerServices.InlineArray(32)]
    struct Blob32 { byte _first; }
}
