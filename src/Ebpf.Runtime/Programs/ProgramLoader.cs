using Ebpf.Asm;
using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>BPF_PROG_LOAD of a linked, relocated program: license, kernel version, BTF with func_info/line_info
/// (when the object's BTF is loaded), and the verifier log policy (none on the first attempt unless asked for;
/// on failure, once more with log level 1, growing the buffer to log_true_size when the kernel says it was short).</summary>
internal static unsafe class ProgramLoader
{
    const int MaxLogSize = 1 << 30; // the kernel refuses log_size >= UINT_MAX >> 2

    public sealed record Request(LinkedProgram Program, ProgramType Type, AttachType ExpectedAttachType, string License,
        uint KernelVersion, LoadedBtf? Btf, ProgramOptions Options, List<string>? Warnings)
    {
        /// <summary>BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS...</summary>
        public uint ProgramFlags { get; init; }
        /// <summary>Kernel BTF id of the attach target (tp_btf, fentry, lsm...), 0 for none.</summary>
        public uint AttachBtfId { get; init; }
    }

    public const uint FlagSleepable = 1 << 4, FlagXdpHasFrags = 1 << 5;

    /// <summary>The load request for <paramref name="spec"/>: section flags (sleepable, XDP frags) and, for programs
    /// with a BTF attach target, its id in the kernel's BTF.</summary>
    public static Request For(ProgramSpec spec, LinkedProgram linked, string license, uint kernelVersion, LoadedBtf? btf,
        ProgramOptions options, List<string>? warnings)
    {
        var flags = ProgramSections.TryClassify(spec.SectionName, out var section) ? section.Flags : ProgramSectionFlags.None;
        uint progFlags = ((flags & ProgramSectionFlags.Sleepable) != 0 ? FlagSleepable : 0)
                         | ((flags & ProgramSectionFlags.XdpFrags) != 0 ? FlagXdpHasFrags : 0);
        uint attachBtfId = 0;
        if ((flags & ProgramSectionFlags.AttachBtf) != 0 || spec.Type is ProgramType.Tracing or ProgramType.Lsm)
        {
            if (string.IsNullOrEmpty(spec.AttachTarget))
                throw new LoadException($"program '{spec.Name}' (section '{spec.SectionName}') needs an attach target in the kernel's BTF, e.g. tp_btf/sched_switch or fentry/do_unlinkat");
            attachBtfId = KernelBtf.AttachBtfId(spec.ExpectedAttachType, spec.AttachTarget);
        }
        return new Request(linked, spec.Type, spec.ExpectedAttachType, license, kernelVersion, btf, options, warnings)
        {
            ProgramFlags = progFlags,
            AttachBtfId = attachBtfId,
        };
    }

    sealed class DisposeAll(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose() { foreach (var item in items) item.Dispose(); }
    }

    public static (ProgramHandle Handle, string? Log) Load(Request request)
    {
        var program = request.Program;
        string step = $"load program '{program.Name}'";
        byte[] code = InstructionCodec.Encode(program.Instructions);
        byte[] license = ObjectInfo.NulTerminated(request.License);
        var (funcInfos, lineInfos, coreRelos) = ProgramBtfRecords.Build(program, request.Btf, request.Warnings);

        // The BTF fds of the modules whose kfuncs the program calls: fd_array[off] of each call (index 0 stands for vmlinux).
        var moduleBtfs = program.KernelModules.Select(KernelModuleBtf.Open).ToList();
        using var closeModuleBtfs = new DisposeAll(moduleBtfs);
        int[]? fdArray = moduleBtfs.Count == 0 ? null : [0, .. moduleBtfs.Select(h => (int)h.DangerousGetHandle())];

        uint level = (uint)request.Options.LogLevel;
        int size = Math.Clamp(request.Options.LogSize, 4096, MaxLogSize);
        for (int attempt = 0; ; attempt++)
        {
            byte[]? logBuffer = level != 0 ? new byte[size] : null;
            int fd, errno;
            uint trueSize;
            fixed (byte* insns = code)
            fixed (byte* lic = license)
            fixed (byte* log = logBuffer)
            fixed (KernelFuncInfo* fi = funcInfos)
            fixed (KernelLineInfo* li = lineInfos)
            fixed (KernelCoreRelo* cr = coreRelos)
            fixed (int* fds = fdArray)
            {
                var attr = new ProgLoadAttr
                {
                    ProgType = (uint)request.Type,
                    InsnCnt = (uint)(code.Length / Instruction.SlotSize),
                    Insns = (ulong)insns,
                    License = (ulong)lic,
                    LogLevel = level,
                    LogSize = logBuffer is null ? 0u : (uint)logBuffer.Length,
                    LogBuf = (ulong)log,
                    KernVersion = request.KernelVersion,
                    ExpectedAttachType = (uint)request.ExpectedAttachType,
                    ProgFlags = request.ProgramFlags,
                    AttachBtfId = request.AttachBtfId,
                    FdArray = (ulong)fds,
                };
                ObjectName.Write(program.Name, new Span<byte>(attr.ProgName, 16));
                if (request.Btf is not null && (funcInfos is not null || lineInfos is not null))
                {
                    using var btfFd = request.Btf.Handle.Lease();
                    attr.ProgBtfFd = (uint)btfFd.Fd;
                    if (funcInfos is not null)
                    {
                        attr.FuncInfoRecSize = (uint)sizeof(KernelFuncInfo);
                        attr.FuncInfo = (ulong)fi;
                        attr.FuncInfoCnt = (uint)funcInfos.Length;
                    }
                    if (lineInfos is not null)
                    {
                        attr.LineInfoRecSize = (uint)sizeof(KernelLineInfo);
                        attr.LineInfo = (ulong)li;
                        attr.LineInfoCnt = (uint)lineInfos.Length;
                    }
                    if (coreRelos is not null)
                    {
                        attr.CoreReloRecSize = (uint)sizeof(KernelCoreRelo);
                        attr.CoreRelos = (ulong)cr;
                        attr.CoreReloCnt = (uint)coreRelos.Length;
                    }
                    fd = BpfSyscall.Invoke(BpfCommand.ProgLoad, ref attr, out errno);
                }
                else
                {
                    fd = BpfSyscall.Invoke(BpfCommand.ProgLoad, ref attr, out errno);
                }
                trueSize = attr.LogTrueSize;
            }

            string? text = logBuffer is null ? null : KernelLog.Decode(logBuffer);
            if (fd >= 0) return (new ProgramHandle(fd), request.Options.LogLevel == VerifierLogLevel.None ? null : text);

            if (attempt >= 4) throw Failure(step, errno, text, request);
            if (level == 0)
            {
                level = (uint)VerifierLogLevel.Instructions; // like libbpf: pay for a log only once a load failed
                continue;
            }
            if (errno == Errno.ENOSPC && size < MaxLogSize)
            {
                size = trueSize > size ? (int)Math.Min(trueSize + 1, MaxLogSize) : Math.Min(size * 4, MaxLogSize);
                continue;
            }
            throw Failure(step, errno, text, request);
        }
    }

    static BpfException Failure(string step, int errno, string? log, Request request)
    {
        if (!string.IsNullOrWhiteSpace(log)) return new VerifierException(request.Program.Name, errno, log, request.Program);
        string? hint = errno switch
        {
            Errno.EPERM when request.Type is ProgramType.Tracing or ProgramType.Lsm or ProgramType.Ext
                => $"the kernel refused before verifying (empty log): under kernel lockdown (integrity or confidentiality) {request.Type} programs "
                   + $"that attach to kernel functions (fentry, fexit, fmod_ret, LSM: expected attach type {request.ExpectedAttachType}) cannot be loaded; "
                   + "otherwise loading needs CAP_BPF + CAP_PERFMON or CAP_SYS_ADMIN",
            Errno.EPERM => $"the kernel refused before verifying (empty log): loading a {request.Type} program needs CAP_BPF "
                           + "(+ CAP_PERFMON for tracing, CAP_NET_ADMIN for networking) or CAP_SYS_ADMIN",
            Errno.EINVAL => $"the kernel rejected the load attributes before verifying (program type {request.Type}, expected attach type {request.ExpectedAttachType})",
            Errno.E2BIG => "the program is too large",
            _ => null,
        };
        return new BpfException(step, errno, hint);
    }
}
