using System.Text;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Bindings;

/// <summary><c>ebpf gen bindings</c>: typed C# for any eBPF object with BTF (ours or clang's), as bpf2go does: the
/// named types of its BTF (map keys and values, ring-buffer records, enums), the layout of each global data section
/// (<c>.rodata</c>, <c>.data</c>, <c>.bss</c>) as a struct, and typed accessors of its maps for <c>Ebpf.Runtime</c>.</summary>
public static class ObjectBindingsGenerator
{
    /// <summary>C# bindings of <paramref name="spec"/> in a static class named <paramref name="className"/>.</summary>
    /// <exception cref="ArgumentException">The object has no BTF.</exception>
    public static string Generate(ObjectSpec spec, string className, string? ns = null, string header = "ebpf gen bindings")
    {
        var btf = spec.Btf ?? throw new ArgumentException("the object has no BTF (.BTF section): nothing describes its types");
        var roots = new List<BtfType>();
        foreach (var t in btf.Types)
            if (t is BtfStruct or BtfEnum && !BtfTypes.IsAnonymous(t)) roots.Add(t);
        foreach (var map in spec.Maps)
        {
            if (map.KeyType is { } k) roots.Add(k);
            if (map.ValueType is { } v) roots.Add(v);
        }
        foreach (var section in spec.DataSections)
            foreach (var v in section.BtfDatasec?.Variables ?? [])
                roots.Add(v.Var.Type);
        var selection = TypeSelection.Roots(btf.Types, roots);
        // The object's types as user space reads them: not kernel types to relocate (its local CO-RE views included).
        var options = new BindingsOptions(ns, className + "Constants", header, CoreTypes: false);
        return CSharpTypeWriter.Write(selection, options, typeName => Accessors(spec, className, typeName));
    }

    static string Accessors(ObjectSpec spec, string className, Func<BtfType, string> typeName)
    {
        var sb = new StringBuilder();
        sb.Append("/// <summary>The maps and global data of ").Append(className).Append(".bpf.o.</summary>\n");
        sb.Append("public static unsafe partial class ").Append(CSharpIdentifiers.Escape(className)).Append("\n{\n");
        foreach (var map in spec.Maps)
        {
            var name = CSharpIdentifiers.Escape(map.Name);
            sb.Append("    /// <summary>Map <c>").Append(map.Name).Append("</c>: ").Append(map.Type).Append(", key ").Append(map.KeySize)
                .Append(" bytes, value ").Append(map.ValueSize).Append(" bytes, max_entries ").Append(map.MaxEntries).Append(".</summary>\n");
            bool typed = map.KeySize > 0 && map.ValueSize > 0 && map.KeyType is not null && map.ValueType is not null;
            if (typed)
            {
                var key = typeName(map.KeyType!);
                var value = typeName(map.ValueType!);
                sb.Append("    public static Ebpf.Runtime.Map<").Append(key).Append(", ").Append(value).Append("> ").Append(name)
                    .Append("(Ebpf.Runtime.Collection collection) => collection.GetMap<").Append(key).Append(", ").Append(value)
                    .Append(">(\"").Append(map.Name).Append("\");\n");
            }
            else
            {
                sb.Append("    public static Ebpf.Runtime.Map ").Append(name).Append("(Ebpf.Runtime.Collection collection) => collection.GetMap(\"")
                    .Append(map.Name).Append("\");\n");
            }
        }
        foreach (var section in spec.DataSections)
        {
            if (section.BtfDatasec is not { } datasec) continue;
            var structName = SectionStructName(section.Name);
            sb.Append("\n    /// <summary>The layout of <c>").Append(section.Name).Append("</c> (").Append(section.Size)
                .Append(" bytes)").Append(section.IsReadOnly ? ": set before load" : "").Append(".</summary>\n");
            sb.Append("    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = ")
                .Append(Math.Max(1, section.Size)).Append(")]\n");
            sb.Append("    public struct ").Append(structName).Append("\n    {\n");
            var used = new HashSet<string>(StringComparer.Ordinal) { structName };
            foreach (var v in datasec.Variables)
            {
                var id = CSharpIdentifiers.Escape(v.Var.Name ?? "_");
                if (!used.Add(CSharpIdentifiers.Plain(id))) id += "_";
                var type = BtfTypes.Resolve(v.Var.Type) is BtfArray array ? ArrayField(array, typeName) : typeName(v.Var.Type);
                sb.Append("        [System.Runtime.InteropServices.FieldOffset(").Append(v.Offset).Append(")] public ").Append(type).Append(' ').Append(id).Append(";\n");
            }
            sb.Append("    }\n");
        }
        sb.Append("}\n\n");
        return sb.ToString();
    }

    /// <summary>An array variable as an <c>[InlineArray]</c> (fixed buffers cannot be declared outside their struct's own declaration here).</summary>
    static string ArrayField(BtfArray array, Func<BtfType, string> typeName) => typeName(array);

    /// <summary><c>.rodata</c> → <c>Rodata</c>, <c>.data.counters</c> → <c>Data_counters</c>.</summary>
    public static string SectionStructName(string section)
    {
        var trimmed = section.TrimStart('.');
        var id = CSharpIdentifiers.Plain(CSharpIdentifiers.Escape(trimmed));
        return char.ToUpperInvariant(id[0]) + id[1..];
    }
}
