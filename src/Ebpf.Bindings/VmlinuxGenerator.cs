using Ebpf.Btf;

namespace Ebpf.Bindings;

/// <summary><c>ebpf gen vmlinux</c>: kernel types from the kernel's BTF as C#, by name with their dependencies, or all
/// of them (as bpftool's <c>vmlinux.h</c>).</summary>
public static class VmlinuxGenerator
{
    /// <summary>C# for the types named <paramref name="names"/> (all named types when empty) of <paramref name="btf"/>.</summary>
    /// <exception cref="ArgumentException">A name is not a struct, union, enum or typedef of the BTF (the message lists them).</exception>
    public static string Generate(BtfSpec btf, IReadOnlyList<string> names, BindingsOptions? options = null)
    {
        options ??= new BindingsOptions();
        TypeSelection selection;
        if (names.Count == 0) selection = TypeSelection.All(btf.Types);
        else
        {
            selection = TypeSelection.Named(btf.Types, names, out var missing);
            if (missing.Count > 0)
                throw new ArgumentException($"no struct, union, enum or typedef named {string.Join(", ", missing.Select(m => $"'{m}'"))} in the BTF");
        }
        return CSharpTypeWriter.Write(selection, options);
    }
}
