namespace Ebpf.Simulation;

/// <summary>The packet most recently created in this async flow: what the context-free packet helpers
/// (<c>bpf_redirect</c>) act on in managed code, as the kernel's act on the packet being processed.</summary>
internal static class CurrentPacket
{
    static readonly AsyncLocal<object?> Value = new();

    public static void Enter(object packet) => Value.Value = packet;

    public static void Leave(object packet)
    {
        if (ReferenceEquals(Value.Value, packet)) Value.Value = null;
    }

    public static object Get(string helper) => Value.Value ?? throw new InvalidOperationException(
        $"{helper} acts on the packet being processed: create the XdpPacket or SkBuffPacket before calling the program.");
}
