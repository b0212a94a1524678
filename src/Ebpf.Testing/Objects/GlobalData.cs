using System.Runtime.InteropServices;
using Ebpf.Runtime;
using Ebpf.Testing.Memory;

namespace Ebpf.Testing;

/// <summary>The global variables of an object (<c>.data</c>, <c>.bss</c>, <c>.rodata</c>): each section is one region the
/// programs address directly; the test reads and writes variables by name (also read-only ones, as user space sets
/// <c>.rodata</c> before load).</summary>
public sealed class GlobalData
{
    readonly BpfVm _vm;
    readonly Dictionary<string, (byte[] Bytes, MemoryRegion Region)> _sections = new(StringComparer.Ordinal);

    internal GlobalData(BpfVm vm) => _vm = vm;

    internal void AddSection(string name, byte[] bytes, MemoryRegion region) => _sections.Add(name, (bytes, region));

    internal MemoryRegion Region(string section) => _sections.TryGetValue(section, out var s) ? s.Region
        : throw new KeyNotFoundException($"the object has no data section '{section}'");

    /// <summary>The bytes of a data section (<c>.data</c>, <c>.bss</c>, <c>.rodata</c>), in place.</summary>
    public Span<byte> Section(string name) => _sections.TryGetValue(name, out var s) ? s.Bytes
        : throw new KeyNotFoundException($"the object has no data section '{name}'; it has {string.Join(", ", _sections.Keys)}");

    /// <summary>The current value of global variable <paramref name="name"/>.</summary>
    public T Get<T>(string name) where T : unmanaged => MemoryMarshal.Read<T>(Variable<T>(name));

    /// <summary>Sets global variable <paramref name="name"/> (before a run: a <c>.rodata</c> constant, a <c>.data</c> initial value).</summary>
    public void Set<T>(string name, T value) where T : unmanaged => MemoryMarshal.Write(Variable<T>(name), in value);

    unsafe Span<byte> Variable<T>(string name) where T : unmanaged
    {
        var spec = _vm.Spec ?? throw new InvalidOperationException("a bare program has no global variables");
        var variable = spec.FindVariable(name);
        if (sizeof(T) != variable.Size)
            throw new ArgumentException($"global variable '{name}' ({variable.Section.Name}) is {variable.Size} bytes, but {typeof(T).Name} is {sizeof(T)} bytes");
        return Section(variable.Section.Name).Slice((int)variable.Offset, (int)variable.Size);
    }
}
