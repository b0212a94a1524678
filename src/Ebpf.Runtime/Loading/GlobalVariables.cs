using System.Runtime.InteropServices;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>A global variable of a data section: where it lives (section, byte offset), its size and its BTF type, from the
/// section's DATASEC.</summary>
public sealed record GlobalVariable(string Name, DataSectionSpec Section, uint Offset, uint Size, BtfType? Type = null);

/// <summary>Editing global variables of an <see cref="ObjectSpec"/> before load (libbpf's <c>const volatile</c>
/// idiom: <c>spec.SetVariable("TargetPid", 1234u)</c> sets a <c>.rodata</c> value the verifier then sees as a constant).</summary>
public static class ObjectSpecVariables
{
    /// <summary>Finds the variable <paramref name="name"/> in the DATASECs of the object's data sections.</summary>
    public static GlobalVariable FindVariable(this ObjectSpec spec, string name)
    {
        foreach (var section in spec.DataSections)
        {
            var datasec = DataSectionMaps.FindDatasec(section, spec.Btf);
            if (datasec is null) continue;
            foreach (var v in datasec.Variables)
                if (v.Var.Name == name) return new GlobalVariable(name, section, v.Offset, v.Size, v.Var.Type);
        }
        var known = spec.DataSections
            .SelectMany(s => DataSectionMaps.FindDatasec(s, spec.Btf)?.Variables.Select(v => $"{v.Var.Name} ({s.Name})") ?? [])
            .ToList();
        if (spec.DataSections.Count > 0 && spec.DataSections.All(s => DataSectionMaps.FindDatasec(s, spec.Btf) is null))
            throw new KeyNotFoundException($"global variable '{name}': the object has data sections but no DATASEC BTF describing their variables");
        throw new KeyNotFoundException($"the object has no global variable '{name}'" + (known.Count == 0 ? "" : $"; it has {string.Join(", ", known)}"));
    }

    /// <summary>Writes <paramref name="value"/> into the variable's initial contents; its size must equal the variable's.</summary>
    public static void SetVariable<T>(this ObjectSpec spec, string name, T value) where T : unmanaged
    {
        var variable = spec.FindVariable(name);
        CheckSize<T>(variable);
        var section = variable.Section;
        if (section.Contents is null || section.Contents.Length < section.Size)
        {
            var contents = new byte[section.Size];
            section.Contents?.CopyTo(contents, 0);
            section.Contents = contents;
        }
        MemoryMarshal.Write(section.Contents.AsSpan((int)variable.Offset, (int)variable.Size), in value);
    }

    /// <summary>Reads the variable's initial value from the spec (zero for <c>.bss</c>).</summary>
    public static T GetVariable<T>(this ObjectSpec spec, string name) where T : unmanaged
    {
        var variable = spec.FindVariable(name);
        CheckSize<T>(variable);
        var contents = variable.Section.Contents;
        if (contents is null || contents.Length < variable.Offset + variable.Size) return default;
        return MemoryMarshal.Read<T>(contents.AsSpan((int)variable.Offset, (int)variable.Size));
    }

    internal static unsafe void CheckSize<T>(GlobalVariable variable) where T : unmanaged
    {
        if (sizeof(T) != variable.Size)
            throw new ArgumentException($"global variable '{variable.Name}' ({variable.Section.Name}) is {variable.Size} bytes, but {typeof(T).Name} is {sizeof(T)} bytes");
        if (variable.Offset + variable.Size > variable.Section.Size)
            throw new InvalidOperationException($"global variable '{variable.Name}' lies outside its section {variable.Section.Name} (offset {variable.Offset}, size {variable.Size}, section size {variable.Section.Size})");
        if (variable.Type is { } declared && RecordLayoutCheck.Difference(typeof(T), declared) is { } difference)
            throw new ArgumentException($"global variable '{variable.Name}' ({variable.Section.Name}): {typeof(T).Name}: {difference}");
    }
}
