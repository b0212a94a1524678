using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Helpers;

/// <summary>The kernel program type and expected attach type of each program attribute of the Ebpf API, as
/// the rules need them to ask the ABI table (the compiler's Discovery.ProgramKinds gives the same pairs
/// for the object it writes).</summary>
public static class ProgramAttributeKinds
{
    /// <summary>The program type and attach type (null: none) of a program attribute, or null when
    /// <paramref name="attribute"/> is not one of the API's program attributes.</summary>
    public static (ProgramType Type, AttachType? Attach)? Of(AttributeData attribute)
    {
        var name = attribute.AttributeClass?.ToDisplayString();
        bool egress = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int direction && direction == 1;
        return name switch
        {
            "Ebpf.TracepointAttribute" => (ProgramType.Tracepoint, null),
            "Ebpf.RawTracepointAttribute" => (ProgramType.RawTracepoint, null),
            "Ebpf.TracepointBtfAttribute" => (ProgramType.Tracing, AttachType.TraceRawTp),
            "Ebpf.KprobeAttribute" or "Ebpf.KretprobeAttribute" or "Ebpf.UprobeAttribute" or "Ebpf.UretprobeAttribute" => (ProgramType.Kprobe, null),
            "Ebpf.FentryAttribute" => (ProgramType.Tracing, AttachType.TraceFentry),
            "Ebpf.FexitAttribute" => (ProgramType.Tracing, AttachType.TraceFexit),
            "Ebpf.LsmAttribute" => (ProgramType.Lsm, AttachType.LsmMac),
            "Ebpf.XdpAttribute" => (ProgramType.Xdp, null),
            "Ebpf.TcAttribute" => (ProgramType.SchedCls, egress ? AttachType.TcxEgress : AttachType.TcxIngress),
            "Ebpf.SocketFilterAttribute" => (ProgramType.SocketFilter, null),
            "Ebpf.CgroupSkbAttribute" => (ProgramType.CgroupSkb, egress ? AttachType.CgroupInetEgress : AttachType.CgroupInetIngress),
            "Ebpf.PerfEventAttribute" => (ProgramType.PerfEvent, null),
            _ => null,
        };
    }

    /// <summary>The program attribute of <paramref name="method"/> with its kinds, or null when it is no program.</summary>
    public static (AttributeData Attribute, ProgramType Type, AttachType? Attach)? OfMethod(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
            if (Of(attribute) is { } kinds) return (attribute, kinds.Type, kinds.Attach);
        return null;
    }
}
