namespace Ebpf.Btf.Core;

/// <summary>CO-RE type names: the essential name of a flavored type (<c>task_struct___old</c> is a flavor of
/// <c>task_struct</c>) and name equality up to flavors, as libbpf compares them.</summary>
public static class CoreNames
{
    /// <summary>Length of the essential part of <paramref name="name"/>: everything before the last <c>___</c> that has a
    /// non-underscore on both sides (<c>X___Y</c>); the whole name when there is none.</summary>
    public static int EssentialLength(string name)
    {
        for (int i = name.Length - 5; i >= 0; i--)
            if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
                return i + 1;
        return name.Length;
    }

    /// <summary>The name without its flavor suffix: <c>task_struct___old</c> becomes <c>task_struct</c>.</summary>
    public static string Essential(string name) => name[..EssentialLength(name)];

    /// <summary>True when both names are empty, or both are named and equal up to flavors.</summary>
    public static bool Match(string? local, string? target)
    {
        if (string.IsNullOrEmpty(target)) return string.IsNullOrEmpty(local);
        if (string.IsNullOrEmpty(local)) return false;
        int length = EssentialLength(local);
        return EssentialLength(target) == length && string.CompareOrdinal(local, 0, target, 0, length) == 0;
    }
}
