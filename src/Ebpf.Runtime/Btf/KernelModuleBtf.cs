using Ebpf.Btf;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>The BTF of the loaded kernel modules (<c>/sys/kernel/btf/&lt;module&gt;</c>, split BTF on top of vmlinux), searched
/// as libbpf's <c>load_module_btfs</c> does when a kfunc or ksym is not in vmlinux, and the module BTF objects' fds a
/// program load passes in <c>fd_array</c>.</summary>
internal static unsafe class KernelModuleBtf
{
    const string Directory = "/sys/kernel/btf";

    /// <summary>One module's BTF, parsed on first use.</summary>
    public sealed class Module(string name, Func<BtfSpec> parse)
    {
        readonly Lazy<BtfSpec> _spec = new(parse);
        public string Name { get; } = name;
        public BtfSpec Spec => _spec.Value;
    }

    static readonly Lazy<IReadOnlyList<Module>> LoadedLazy = new(() =>
        !System.IO.Directory.Exists(Directory) ? [] :
        System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).Where(n => n is not null and not "vmlinux").Order(StringComparer.Ordinal)
            .Select(n => new Module(n!, () => BtfSpec.ParseSplit(File.ReadAllBytes(Path.Combine(Directory, n!)), KernelBtf.Vmlinux))).ToList());

    /// <summary>The modules whose BTF this kernel exposes, by name.</summary>
    public static IReadOnlyList<Module> Loaded => LoadedLazy.Value;

    /// <summary>A new fd of the kernel BTF object of <paramref name="module"/>: BPF_BTF_GET_NEXT_ID over every BTF object,
    /// the one whose info names the module and is a kernel BTF (libbpf's <c>load_module_btfs</c>).</summary>
    public static BtfHandle Open(string module)
    {
        var name = new byte[64];
        uint id = 0;
        while (true)
        {
            var next = new GetFdByIdAttr { Id = id };
            if (BpfSyscall.Invoke(BpfCommand.BtfGetNextId, ref next, out int errno) < 0)
            {
                if (errno == Errno.ENOENT) throw new LoadException($"no kernel BTF object is named '{module}' (the module was unloaded?)");
                throw new BpfException("find the BTF of kernel module " + module, errno);
            }
            id = next.NextId;
            var open = new GetFdByIdAttr { Id = id };
            int fd = BpfSyscall.Invoke(BpfCommand.BtfGetFdById, ref open, out errno);
            if (fd < 0) continue;   // freed meanwhile
            var handle = new BtfHandle(fd);
            Array.Clear(name);
            fixed (byte* p = name)
            {
                var info = new KernelBtfInfo { Name = (ulong)p, NameLen = (uint)name.Length };
                var attr = new ObjInfoAttr { BpfFd = (uint)fd, InfoLen = (uint)sizeof(KernelBtfInfo), Info = (ulong)&info };
                if (BpfSyscall.Invoke(BpfCommand.ObjGetInfoByFd, ref attr, out _) == 0 && info.KernelBtf != 0
                    && System.Text.Encoding.UTF8.GetString(name, 0, Math.Max(0, Array.IndexOf(name, (byte)0))) == module)
                    return handle;
            }
            handle.Dispose();
        }
    }
}
