using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

public sealed unsafe partial class Map
{
    /// <summary>Creates the map described by <paramref name="spec"/> (BPF_MAP_CREATE), without BTF. Maps with
    /// <see cref="MapPinning.ByName"/> are pinned under <see cref="MapOptions.PinPath"/>, reusing a compatible existing pin.</summary>
    public static Map Create(MapSpec spec, MapOptions? options = null)
        => Create(spec, options ?? new MapOptions(), btf: null, warnings: null);

    internal static Map Create(MapSpec spec, MapOptions options, LoadedBtf? btf, List<string>? warnings)
    {
        // A perf event array without max_entries gets one slot per possible CPU, as libbpf gives it.
        uint maxEntries = spec.Type == MapType.PerfEventArray && spec.MaxEntries == 0 ? (uint)PossibleCpus.Count : spec.MaxEntries;
        var request = new MapCreateRequest(spec.Name, spec.Type, spec.KeySize, spec.ValueSize, maxEntries, spec.Flags);
        if (btf is not null && (spec.KeyType is not null || spec.ValueType is not null) && MapKinds.TakesBtfTypes(spec.Type))
        {
            int keyId = 0, valueId = 0;
            if ((spec.KeyType is null || btf.Spec.TryGetId(spec.KeyType, out keyId))
                && (spec.ValueType is null || btf.Spec.TryGetId(spec.ValueType, out valueId)))
                request = request with { Btf = btf, BtfKeyTypeId = (uint)keyId, BtfValueTypeId = (uint)valueId };
            else
                warnings?.Add($"map '{spec.Name}': its key or value type is not a type of the object's BTF; created without BTF");
        }
        if (spec.Pinning == MapPinning.None) return CreateNew(request, warnings);

        string path = Path.Combine(options.PinPath, spec.Name);
        var pinned = TryOpenPinned(path, spec.Name);
        if (pinned is not null)
        {
            string? mismatch = pinned.DescribeMismatch(spec);
            if (mismatch is null) return pinned;
            pinned.Dispose();
            throw new InvalidOperationException($"map '{spec.Name}' is pinned by name at '{path}', but the pinned map differs: {mismatch}. Remove the pin (rm {path}) or rename the map.");
        }
        var map = CreateNew(request, warnings);
        try
        {
            map.Pin(path);
            map.PinnedByCreate = true;
            return map;
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>Opens the map pinned at <paramref name="path"/> (BPF_OBJ_GET) and reads its shape from the kernel.</summary>
    public static Map OpenPinned(string path, string? name = null)
        => TryOpenPinned(path, name ?? Path.GetFileName(path))
           ?? throw new BpfException($"open pinned map '{path}'", Errno.ENOENT, "nothing is pinned there");

    static Map? TryOpenPinned(string path, string name)
    {
        int fd = ObjectInfo.Get(path, out int errno);
        if (fd < 0)
        {
            if (errno == Errno.ENOENT) return null;
            throw new BpfException($"open pinned map '{path}'", errno, ObjectInfo.PinHint(path, errno));
        }
        var handle = new MapHandle(fd);
        try
        {
            var info = ObjectInfo.Get<KernelMapInfo>(handle, $"get info of pinned map '{path}'");
            if (info.Type == 0 && info.KeySize == 0 && info.ValueSize == 0 && info.MaxEntries == 0)
                throw new InvalidOperationException($"'{path}' is not a map");
            return new Map(name, handle, (MapType)info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.MapFlags) { PinnedPath = path };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    string? DescribeMismatch(MapSpec spec)
    {
        var differences = new List<string>();
        if (Type != spec.Type) differences.Add($"type {MapKinds.KernelName(Type)} (object: {MapKinds.KernelName(spec.Type)})");
        if (KeySize != spec.KeySize) differences.Add($"key size {KeySize} (object: {spec.KeySize})");
        if (ValueSize != spec.ValueSize) differences.Add($"value size {ValueSize} (object: {spec.ValueSize})");
        if (MaxEntries != spec.MaxEntries) differences.Add($"max_entries {MaxEntries} (object: {spec.MaxEntries})");
        if (Flags != spec.Flags) differences.Add($"flags 0x{Flags:x} (object: 0x{spec.Flags:x})");
        return differences.Count == 0 ? null : string.Join(", ", differences);
    }

    /// <summary>Everything BPF_MAP_CREATE needs.</summary>
    internal sealed record MapCreateRequest(string Name, MapType Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags)
    {
        public LoadedBtf? Btf { get; init; }
        public uint BtfKeyTypeId { get; init; }
        public uint BtfValueTypeId { get; init; }
        /// <summary>Name the kernel gets; defaults to <see cref="Name"/> (data sections use libbpf's prefixed names).</summary>
        public string? KernelName { get; init; }
    }

    /// <summary>BPF_MAP_CREATE with BTF type ids, and, like libbpf, once more without BTF if the kernel rejects it.</summary>
    internal static Map CreateNew(MapCreateRequest request, List<string>? warnings)
    {
        string step = $"create map '{request.Name}'";
        int fd = -1, errno = 0;
        if (request.Btf is not null && (request.BtfKeyTypeId != 0 || request.BtfValueTypeId != 0))
        {
            using var btfFd = request.Btf.Handle.Lease();
            fd = Invoke(request, btfFd.Fd, request.BtfKeyTypeId, request.BtfValueTypeId, out errno);
            if (fd < 0)
                warnings?.Add($"{step}: the kernel rejected its BTF key/value types ({Errno.Format(errno)}); created without BTF");
        }
        if (fd < 0) fd = Invoke(request, 0, 0, 0, out errno);
        if (fd < 0) throw new BpfException(step, errno, CreateHint(request, errno));
        return new Map(request.Name, new MapHandle(fd), request.Type, request.KeySize, request.ValueSize, request.MaxEntries, request.Flags);
    }

    static int Invoke(MapCreateRequest request, int btfFd, uint keyTypeId, uint valueTypeId, out int errno)
    {
        var attr = new MapCreateAttr
        {
            MapType = (uint)request.Type,
            KeySize = request.KeySize,
            ValueSize = request.ValueSize,
            MaxEntries = request.MaxEntries,
            MapFlags = request.Flags,
            BtfFd = (uint)btfFd,
            BtfKeyTypeId = keyTypeId,
            BtfValueTypeId = valueTypeId,
        };
        ObjectName.Write(request.KernelName ?? request.Name, new Span<byte>(attr.MapName, 16));
        return BpfSyscall.Invoke(BpfCommand.MapCreate, ref attr, out errno);
    }

    internal static string? CreateHint(MapCreateRequest request, int errno) => errno switch
    {
        Errno.EPERM => "creating maps needs CAP_BPF or CAP_SYS_ADMIN; map memory is charged to the memory cgroup on "
                       + $"kernels since 5.11 and to RLIMIT_MEMLOCK before (ulimit -l is {MemlockLimit()} here): check both",
        Errno.ENOMEM => $"not enough memory for {request.MaxEntries} entries of {request.KeySize}+{request.ValueSize} bytes "
                        + $"(memory cgroup limit, or RLIMIT_MEMLOCK = {MemlockLimit()} on kernels before 5.11)",
        Errno.EINVAL => request.Type switch
        {
            MapType.RingBuf or MapType.UserRingBuf => "a ring buffer needs key and value size 0 and max_entries a power of two multiple of the page size",
            MapType.Array or MapType.PerCpuArray => "an array map needs 4-byte keys and a non-zero value size",
            MapType.Queue or MapType.Stack => "queue and stack maps need key size 0",
            MapType.ArrayOfMaps or MapType.HashOfMaps => "a map of maps needs an inner map template (inner_map_fd), which this runtime does not create yet",
            _ => $"the kernel refused these parameters for a {MapKinds.KernelName(request.Type)} map (key {request.KeySize}, value {request.ValueSize}, max_entries {request.MaxEntries}, flags 0x{request.Flags:x})",
        },
        Errno.E2BIG => "key or value too large for this map type",
        _ => null,
    };

    static string MemlockLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max locked memory", StringComparison.Ordinal));
            var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: >= 5 } ? (parts[3] == "unlimited" ? "unlimited" : $"{parts[3]} bytes") : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
