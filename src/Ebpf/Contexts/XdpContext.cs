namespace Ebpf;

/// <summary>XDP verdicts (enum xdp_action).</summary>
public enum XdpAction { Aborted = 0, Drop = 1, Pass = 2, Tx = 3, Redirect = 4 }

/// <summary>The context of an XDP program (struct xdp_md).</summary>
public unsafe partial struct XdpContext
{
    /// <summary>Start of packet data (<c>xdp_md.data</c>).</summary>
    [ContextField(0, 4)] public byte* Data => throw new NotImplementedException();
    /// <summary>End of packet data (<c>xdp_md.data_end</c>): reads must stay below it.</summary>
    [ContextField(4, 4)] public byte* DataEnd => throw new NotImplementedException();
    [ContextField(12, 4)] public uint IngressIfindex => throw new NotImplementedException();
    [ContextField(16, 4)] public uint RxQueueIndex => throw new NotImplementedException();
}
