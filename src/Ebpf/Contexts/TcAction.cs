namespace Ebpf;

/// <summary>Verdicts of a tc program (TC_ACT_* of linux/pkt_cls.h).</summary>
public enum TcAction
{
    /// <summary>TC_ACT_UNSPEC: use the default action (continue with the next program).</summary>
    Unspec = -1,
    /// <summary>TC_ACT_OK: let the packet through.</summary>
    Ok = 0,
    /// <summary>TC_ACT_RECLASSIFY: restart classification.</summary>
    Reclassify = 1,
    /// <summary>TC_ACT_SHOT: drop the packet.</summary>
    Shot = 2,
    /// <summary>TC_ACT_PIPE: continue with the next action.</summary>
    Pipe = 3,
    /// <summary>TC_ACT_STOLEN: consumed (queued or dropped) by the program.</summary>
    Stolen = 4,
    /// <summary>TC_ACT_QUEUED: queued for later.</summary>
    Queued = 5,
    /// <summary>TC_ACT_REPEAT: run the action again.</summary>
    Repeat = 6,
    /// <summary>TC_ACT_REDIRECT: send where <c>bpf_redirect</c> said.</summary>
    Redirect = 7,
    /// <summary>TC_ACT_TRAP: hand to the CPU (hardware offload path).</summary>
    Trap = 8,
}
