using Ebpf.Object;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Helpers;

/// <summary>The kernel program type and expected attach type of each program attribute of the Ebpf API, as
/// the rules need them to ask the ABI table; read from the one table, <see cref="ProgramKinds"/>.</summary>
public static class ProgramAttributeKinds
{
    /// <summary>The program type and attach type (null: none) of a program attribute, or null when
    /// <paramref name="attribute"/> is not one of the API's program attributes.</summary>
    public static (ProgramType Type, AttachType? Attach)? Of(AttributeData attribute)
    {
        if (attribute.AttributeClass?.ToDisplayString() is not { } name || !ProgramKinds.ByAttribute.TryGetValue(name, out var kind)) return null;
        var info = ProgramKinds.Info(kind);
        var attach = info.HookOf(attribute).Attach;
        // AttachType 0 is both "none" and BPF_CGROUP_INET_INGRESS: a hook list says which. The kernel does not
        // check an XDP program's expected attach type at load, so BPF_XDP (5.9) does not raise the kernel it needs.
        bool named = (attach != AttachType.None || info.Hooks.Length > 1 || info.Type == ProgramType.CgroupSkb) && attach != AttachType.Xdp;
        return (info.Type, named ? attach : null);
    }

    /// <summary>The program attribute of <paramref name="method"/> with its kinds, or null when it is no program.</summary>
    public static (AttributeData Attribute, ProgramType Type, AttachType? Attach)? OfMethod(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
            if (Of(attribute) is { } kinds) return (attribute, kinds.Type, kinds.Attach);
        return null;
    }
}
