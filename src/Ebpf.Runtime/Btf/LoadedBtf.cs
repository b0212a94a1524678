using Ebpf.Btf;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>An object's BTF loaded into the kernel with BPF_BTF_LOAD: the fd that maps (btf_fd) and programs
/// (prog_btf_fd) refer to, together with the spec whose type ids and string offsets those references use.</summary>
public sealed class LoadedBtf : IDisposable
{
    LoadedBtf(BtfSpec spec, BtfHandle handle)
    {
        Spec = spec;
        Handle = handle;
    }

    public BtfSpec Spec { get; }
    public BtfHandle Handle { get; }

    /// <summary>Loads <paramref name="spec"/>'s raw bytes. On rejection the exception carries the kernel's BTF log.</summary>
    public static unsafe LoadedBtf Load(BtfSpec spec)
    {
        byte[] raw = spec.RawBytes;
        fixed (byte* blob = raw)
        {
            var attr = new BtfLoadAttr { Btf = (ulong)blob, BtfSize = (uint)raw.Length };
            int fd = BpfSyscall.Invoke(BpfCommand.BtfLoad, ref attr, out int errno);
            if (fd >= 0) return new LoadedBtf(spec, new BtfHandle(fd));

            // Like libbpf: the first attempt has no log (cheaper); only a failure pays for one.
            string log = "";
            foreach (uint size in new uint[] { 1 << 20, 16 << 20 })
            {
                var logBuffer = new byte[size];
                fixed (byte* logPtr = logBuffer)
                {
                    attr = new BtfLoadAttr { Btf = (ulong)blob, BtfSize = (uint)raw.Length, LogBuf = (ulong)logPtr, LogSize = size, LogLevel = 1 };
                    fd = BpfSyscall.Invoke(BpfCommand.BtfLoad, ref attr, out errno);
                }
                if (fd >= 0) return new LoadedBtf(spec, new BtfHandle(fd));
                log = KernelLog.Decode(logBuffer);
                if (errno != Errno.ENOSPC) break;
            }
            throw new BtfLoadException(errno, log);
        }
    }

    public void Dispose() => Handle.Dispose();
}

/// <summary>The kernel rejected an object's BTF (BPF_BTF_LOAD). <see cref="Log"/> is the kernel's BTF verifier log.</summary>
public sealed class BtfLoadException(int errno, string log)
    : BpfException("load BTF", errno, string.IsNullOrWhiteSpace(log) ? null : "kernel log: " + KernelLog.LastLines(log, 5))
{
    public string Log { get; } = log;
}
