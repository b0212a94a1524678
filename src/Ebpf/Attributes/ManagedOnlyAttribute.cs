namespace Ebpf;

/// <summary>Marks a member of the kernel-side API that exists only for managed execution (tests,
/// simulation): it has no eBPF translation, and the compiler rejects a program that uses it.</summary>
/// <remarks>Examples: a map's enumeration and <c>Count</c>, the constructors of packet contexts,
/// <see cref="BpfEnvironment"/>.</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Property
    | AttributeTargets.Constructor | AttributeTargets.Field | AttributeTargets.Interface, Inherited = false)]
public sealed class ManagedOnlyAttribute : Attribute { }
