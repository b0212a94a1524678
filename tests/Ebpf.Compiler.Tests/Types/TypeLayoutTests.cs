using System.Text;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Types;

/// <summary>TypeLayouts against the truth: each struct is compiled, loaded into this process, and its
/// size, alignment and field offsets measured with pointers on the running CLR.</summary>
public class TypeLayoutTests
{
    const string Structs = """
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        public enum Small : byte { A, B }
        public enum Big : long { A = 1L << 40 }
        public struct Empty { }
        public struct Mixed { public byte A; public int B; public short C; public long D; public bool E; public char F; }
        public struct WithEnums { public Small S; public Big B; public Small T; }
        [StructLayout(LayoutKind.Sequential, Pack = 1)] public struct Packed1 { public byte A; public uint B; public ushort C; public ulong D; }
        [StructLayout(LayoutKind.Sequential, Pack = 2)] public struct Packed2 { public byte A; public uint B; public byte C; }
        [StructLayout(LayoutKind.Sequential, Size = 24)] public struct Sized { public int A; public byte B; }
        [StructLayout(LayoutKind.Sequential, Size = 5)] public struct SizedOdd { public int A; }
        [StructLayout(LayoutKind.Sequential, Size = 2)] public struct SizedSmaller { public long A; }
        [StructLayout(LayoutKind.Sequential, Size = 6)] public struct SizedBetween { public int A; public byte B; }
        [StructLayout(LayoutKind.Explicit, Size = 10)] public struct ExplicitBetween { [FieldOffset(0)] public long A; [FieldOffset(8)] public byte B; }
        [StructLayout(LayoutKind.Explicit)] public struct Union { [FieldOffset(0)] public uint Word; [FieldOffset(0)] public byte Low; [FieldOffset(6)] public ushort High; }
        [StructLayout(LayoutKind.Explicit, Size = 20)] public struct ExplicitSized { [FieldOffset(1)] public long A; }
        [StructLayout(LayoutKind.Explicit, Pack = 1)] public struct ExplicitPacked { [FieldOffset(1)] public long A; [FieldOffset(9)] public byte B; }
        public unsafe struct Fixed { public byte Tag; public fixed ushort Buf[5]; public int After; public fixed byte Comm[16]; }
        [InlineArray(6)] public struct Six { public ushort E; }
        [InlineArray(3)] public struct ThreeNested { public Mixed E; }
        public struct Nested { public byte A; public Mixed M; public byte B; public Packed1 P; public Six S; public ThreeNested T; }
        public unsafe struct Pointers { public byte A; public void* P; public nint N; public nuint U; public int* Q; }
        public struct Generic<T> where T : unmanaged { public byte A; public T Value; }
        public struct UsesGeneric { public Generic<long> G; public Generic<byte> H; }
        """;

    static readonly string[] Names =
    {
        "Empty", "Mixed", "WithEnums", "Packed1", "Packed2", "Sized", "SizedOdd", "SizedSmaller", "SizedBetween", "ExplicitBetween", "Union", "ExplicitSized",
        "ExplicitPacked", "Fixed", "Six", "ThreeNested", "Nested", "Pointers", "UsesGeneric",
    };

    [Fact]
    public void Layouts_match_the_running_clr()
    {
        var compilation = TestCompilations.Create(Structs + Probes(), "Layouts.cs");
        TestCompilations.AssertNoErrors(compilation);
        var assembly = TestCompilations.EmitAndLoad(compilation);
        var layouts = new TypeLayouts();
        var failures = new StringBuilder();
        foreach (var name in Names)
        {
            var type = compilation.GetTypeByMetadataName(name)!;
            var layout = layouts.GetLayout(type, out var reason);
            Assert.True(layout != null, $"{name}: {reason}");
            var measured = (int[])assembly.GetType("LayoutProbe")!.GetMethod(name)!.Invoke(null, null)!;
            var computed = new[] { layout!.Size, layout.Alignment }.Concat(layout.Fields.Select(f => f.Offset)).ToArray();
            if (!measured.SequenceEqual(computed))
                failures.AppendLine($"{name}: CLR [{string.Join(", ", measured)}] computed [{string.Join(", ", computed)}]");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    /// <summary>For each struct S: <c>int[] { sizeof(S), alignment, offsets of the instance fields... }</c>,
    /// the alignment measured as the offset of S after a byte.</summary>
    static string Probes()
    {
        var probe = TestCompilations.Create(Structs, "Layouts.cs");
        var sb = new StringBuilder("\npublic static unsafe class LayoutProbe {\n");
        foreach (var name in Names)
        {
            var type = probe.GetTypeByMetadataName(name)!;
            sb.Append($"  struct Wrap{name} {{ public byte Pad; public {name} Value; }}\n");
            sb.Append($"  public static int[] {name}() {{ {name} s = default; byte* b = (byte*)&s; Wrap{name} w = default;\n");
            sb.Append($"    return new int[] {{ sizeof({name}), (int)((byte*)&w.Value - (byte*)&w)");
            foreach (var f in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
                sb.Append(f.IsFixedSizeBuffer ? $", (int)((byte*)s.{f.Name} - b)" : $", (int)((byte*)&s.{f.Name} - b)");
            sb.Append(" }; }\n");
        }
        return sb.Append("}\n").ToString();
    }

    [Fact]
    public void Fixed_buffers_and_inline_arrays_report_element_type_and_count()
    {
        var compilation = TestCompilations.Create(Structs, "Layouts.cs");
        var layouts = new TypeLayouts();
        var fixedLayout = layouts.GetLayout(compilation.GetTypeByMetadataName("Fixed")!)!;
        var buf = fixedLayout.Fields[1];
        Assert.Equal(("Buf", 10, SpecialType.System_UInt16, 5), (buf.Field.Name, buf.Size, buf.ElementType.SpecialType, buf.ElementCount));
        var six = layouts.GetLayout(compilation.GetTypeByMetadataName("Six")!)!;
        Assert.Equal((12, 2, 6), (six.Size, six.Alignment, six.Fields.Single().ElementCount));
    }

    [Fact]
    public void Types_outside_the_subset_have_no_layout_and_a_reason()
    {
        var compilation = TestCompilations.Create("""
            using System.Runtime.InteropServices;
            public struct HasFloat { public int A; public float F; }
            [StructLayout(LayoutKind.Auto)] public struct AutoLayout { public int A; }
            public struct HasRef { public string S; }
            public class C { }
            """);
        var layouts = new TypeLayouts();
        Assert.Null(layouts.GetLayout(compilation.GetTypeByMetadataName("HasFloat")!, out var floatReason));
        Assert.Contains("floating-point", floatReason);
        Assert.Null(layouts.GetLayout(compilation.GetTypeByMetadataName("AutoLayout")!, out var autoReason));
        Assert.Contains("LayoutKind.Auto", autoReason);
        Assert.Null(layouts.GetLayout(compilation.GetTypeByMetadataName("HasRef")!));
        Assert.Null(layouts.GetLayout(compilation.GetTypeByMetadataName("C")!));
    }

    [Fact]
    public void Layouts_are_cached_per_type()
    {
        var compilation = TestCompilations.Create(Structs, "Layouts.cs");
        var layouts = new TypeLayouts();
        var type = compilation.GetTypeByMetadataName("Nested")!;
        Assert.Same(layouts.GetLayout(type), layouts.GetLayout(type));
    }
}
