using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.Btf;

namespace Ebpf.Runtime;

/// <summary>Compares an unmanaged .NET struct with the BTF type an object declares for the same bytes (a map's key or
/// value, a global variable): the sizes agree already; here every field must start where a member of the BTF struct
/// starts and have that member's size, nested structs included. A struct with equal size but reordered or differently
/// sized fields would otherwise read garbage without an error.</summary>
/// <remarks>Fields are matched by offset, not by name (C# names are the user's: <c>Pid</c> for <c>pid</c>), and members
/// without a field are allowed (padding or fields the user does not read). Not compared: structs with bit-field members
/// (C# has no bit-fields), fields whose managed layout differs from their unmanaged one (<c>bool</c>, <c>char</c>), and
/// the elements of arrays and fixed buffers (their total size is compared).</remarks>
public static class RecordLayoutCheck
{
    /// <summary>The first difference between <paramref name="type"/> and <paramref name="declared"/>, naming the field
    /// (<c>field Comm at offset 4 (16 bytes) is the object's member 'tid' at offset 4 (4 bytes)</c>), or null.</summary>
    public static string? Difference(Type type, BtfType declared) => Compare(type, declared, "");

    static string? Compare(Type type, BtfType declared, string path)
    {
        if (BtfLayout.SkipQualifiers(declared) is not BtfStruct record || !IsPlainStruct(type)) return null;
        if (record.Members.Any(m => m.BitFieldSize != 0)) return null;
        var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (!fields.All(f => HasUnmanagedLayout(f.FieldType))) return null;
        foreach (var (field, offset) in fields.Select(f => (f, Marshal.OffsetOf(type, f.Name).ToInt64())).OrderBy(f => f.Item2).ThenBy(f => f.f.MetadataToken))
        {
            long size = Marshal.SizeOf(field.FieldType);
            string name = path + FieldName(field);
            var atOffset = record.Members.Where(m => m.BitOffset / 8 == offset).ToList();
            var member = atOffset.FirstOrDefault(m => (long)BtfLayout.SizeOf(m.Type) == size);
            if (member is null)
            {
                var other = atOffset.FirstOrDefault() ?? record.Members.LastOrDefault(m => m.BitOffset / 8 < offset);
                string kind = record.IsUnion ? "union" : "struct";
                return other is null
                    ? $"field {name} at offset {offset} ({size} bytes): the object's {kind} {record.Name ?? "(anonymous)"} has no member there"
                    : $"field {name} at offset {offset} ({size} bytes) is the object's member '{other.Name ?? "(anonymous)"}' at offset {other.BitOffset / 8} ({BtfLayout.SizeOf(other.Type)} bytes)";
            }
            if (Compare(field.FieldType, member.Type, name + ".") is { } nested) return nested;
        }
        return null;
    }

    /// <summary>A user's struct (not a primitive, enum, pointer, or a compiler-generated fixed buffer or inline array).</summary>
    static bool IsPlainStruct(Type type)
        => type.IsValueType && !type.IsPrimitive && !type.IsEnum && !type.IsPointer
           && type.GetCustomAttribute<CompilerGeneratedAttribute>() is null && type.GetCustomAttribute<InlineArrayAttribute>() is null;

    /// <summary>Whether the marshaller's offsets and sizes (what <see cref="Marshal.OffsetOf(Type, string)"/> reports) are
    /// the bytes in memory: every field, nested ones too, is blittable.</summary>
    static bool HasUnmanagedLayout(Type type)
    {
        if (type == typeof(bool) || type == typeof(char)) return false;
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || type.IsFunctionPointer) return true;
        if (type.GetCustomAttribute<InlineArrayAttribute>() is not null) return false;
        return type.IsValueType && type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).All(f => HasUnmanagedLayout(f.FieldType));
    }

    /// <summary>The C# name of a field (a fixed buffer's or a primary-constructor property's backing field by its own name).</summary>
    static string FieldName(FieldInfo field)
    {
        string name = field.Name;
        return name.StartsWith('<') && name.IndexOf('>') is > 1 and var end ? name[1..end] : name;
    }
}
