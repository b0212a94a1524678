namespace Ebpf;

/// <summary>Marks a <c>static partial class</c> as one eBPF object, compiled to <c>&lt;ClassName&gt;.bpf.o</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfObjectAttribute : Attribute
{
    /// <summary>The object's license; it decides which GPL-only kernel helpers programs may call.</summary>
    public string License { get; set; } = "GPL";
}
