namespace Ebpf.Object;

/// <summary>enum bpf_prog_type (include/uapi/linux/bpf.h).</summary>
public enum ProgramType : uint
{
    Unspecified = 0, SocketFilter = 1, Kprobe = 2, SchedCls = 3, SchedAct = 4, Tracepoint = 5, Xdp = 6,
    PerfEvent = 7, CgroupSkb = 8, CgroupSock = 9, LwtIn = 10, LwtOut = 11, LwtXmit = 12, SockOps = 13,
    SkSkb = 14, CgroupDevice = 15, SkMsg = 16, RawTracepoint = 17, CgroupSockAddr = 18, LwtSeg6Local = 19,
    LircMode2 = 20, SkReuseport = 21, FlowDissector = 22, CgroupSysctl = 23, RawTracepointWritable = 24,
    CgroupSockopt = 25, Tracing = 26, StructOps = 27, Ext = 28, Lsm = 29, SkLookup = 30, Syscall = 31, Netfilter = 32,
}

/// <summary>enum bpf_attach_type (include/uapi/linux/bpf.h): the expected_attach_type of a program and the attach point of links.</summary>
public enum AttachType : uint
{
    CgroupInetIngress = 0, CgroupInetEgress = 1, CgroupInetSockCreate = 2, CgroupSockOps = 3,
    SkSkbStreamParser = 4, SkSkbStreamVerdict = 5, CgroupDevice = 6, SkMsgVerdict = 7,
    CgroupInet4Bind = 8, CgroupInet6Bind = 9, CgroupInet4Connect = 10, CgroupInet6Connect = 11,
    CgroupInet4PostBind = 12, CgroupInet6PostBind = 13, CgroupUdp4Sendmsg = 14, CgroupUdp6Sendmsg = 15,
    LircMode2 = 16, FlowDissector = 17, CgroupSysctl = 18, CgroupUdp4Recvmsg = 19, CgroupUdp6Recvmsg = 20,
    CgroupGetsockopt = 21, CgroupSetsockopt = 22, TraceRawTp = 23, TraceFentry = 24, TraceFexit = 25,
    ModifyReturn = 26, LsmMac = 27, TraceIter = 28, CgroupInet4Getpeername = 29, CgroupInet6Getpeername = 30,
    CgroupInet4Getsockname = 31, CgroupInet6Getsockname = 32, XdpDevmap = 33, CgroupInetSockRelease = 34,
    XdpCpumap = 35, SkLookup = 36, Xdp = 37, SkSkbVerdict = 38, SkReuseportSelect = 39,
    SkReuseportSelectOrMigrate = 40, PerfEvent = 41, TraceKprobeMulti = 42, LsmCgroup = 43, StructOps = 44,
    Netfilter = 45, TcxIngress = 46, TcxEgress = 47, TraceUprobeMulti = 48, CgroupUnixConnect = 49,
    CgroupUnixSendmsg = 50, CgroupUnixRecvmsg = 51, CgroupUnixGetpeername = 52, CgroupUnixGetsockname = 53,
    NetkitPrimary = 54, NetkitPeer = 55, TraceKprobeSession = 56, TraceUprobeSession = 57,
    /// <summary>No expected attach type (0 is also CgroupInetIngress: the program type decides).</summary>
    None = 0,
}

/// <summary>enum bpf_map_type.</summary>
public enum MapType : uint
{
    Unspecified = 0, Hash = 1, Array = 2, ProgArray = 3, PerfEventArray = 4, PerCpuHash = 5, PerCpuArray = 6,
    StackTrace = 7, CgroupArray = 8, LruHash = 9, LruPerCpuHash = 10, LpmTrie = 11, ArrayOfMaps = 12,
    HashOfMaps = 13, DevMap = 14, SockMap = 15, CpuMap = 16, XskMap = 17, SockHash = 18, CgroupStorage = 19,
    ReuseportSockArray = 20, PerCpuCgroupStorage = 21, Queue = 22, Stack = 23, SkStorage = 24, DevMapHash = 25,
    StructOps = 26, RingBuf = 27, InodeStorage = 28, TaskStorage = 29, BloomFilter = 30, UserRingBuf = 31,
    CgrpStorage = 32, Arena = 33,
}

/// <summary>Whether libbpf-style loaders pin a map by name under the pin path (LIBBPF_PIN_BY_NAME).</summary>
public enum MapPinning { None = 0, ByName = 1 }
