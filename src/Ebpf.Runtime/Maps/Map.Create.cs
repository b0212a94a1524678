using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

public sealed unsafe partial class Map
{
    /// <summary>Creates the map described by <paramref name="spec"/> (BPF_MAP_CREATE), without BTF. Maps with
    /// <see cref="MapPinning.ByName"/> are pinned under <see cref="MapOptions.PinPath"/>, reusing a compatible existing pin.</summary>
    public static Map Create(MapSpec spec, MapOptions? options = null)
        => Create(spec, options ?? new MapOptions(), btf: null, warnings: null);

    /// <summary>Creates a map of maps (BPF_MAP_TYPE_ARRAY_OF_MAPS, _HASH_OF_MAPS; kernel 4.12+) whose elements are maps shaped
    /// like <paramref name="innerTemplate"/>: the kernel checks every inner map stored against it (type, key and value size,
    /// max_entries unless BPF_F_INNER_MAP). The template map is created for the call and closed after, as libbpf does.</summary>
    public static Map CreateMapOfMaps(MapSpec outer, MapSpec innerTemplate, MapOptions? options = null)
    {
        if (outer.Type is not (MapType.ArrayOfMaps or MapType.HashOfMaps))
            throw new ArgumentException($"map '{outer.Name}' has type {MapKinds.KernelName(outer.Type)}, not array_of_maps or hash_of_maps", nameof(outer));
        using var template = Create(innerTemplate);
        return Create(outer, options ?? new MapOptions(), btf: null, warnings: null, template);
    }

    /// <summary>The max_entries the kernel gets: a perf_event_array left at 0 gets one slot per possible CPU, as libbpf fills in.</summary>
    public static uint EffectiveMaxEntries(MapSpec spec)
        => spec.MaxEntries == 0 && spec.Type == MapType.PerfEventArray ? (uint)PossibleCpus.Count : spec.MaxEntries;

    internal static Map Create(MapSpec spec, MapOptions options, LoadedBtf? btf, List<string>? warnings, Map? innerTemplate = null)
    {
        var map = CreateOrOpenPinned(spec, options, btf, warnings, innerTemplate);
        map.DeclaredKeyType = spec.KeyType;
        map.DeclaredValueType = spec.ValueType;
        return map;
    }

    static Map CreateOrOpenPinned(MapSpec spec, MapOptions options, LoadedBtf? btf, List<string>? warnings, Map? innerTemplate)
    {
        var request = new MapCreateRequest(spec.Name, spec.Type, spec.KeySize, spec.ValueSize, EffectiveMaxEntries(spec), spec.Flags)
        {
            InnerMap = innerTemplate,
            NumaNode = spec.NumaNode,
            MapExtra = spec.MapExtra,
        };
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
            throw new MapMismatchException($"map '{spec.Name}' is pinned by name at '{path}', but the pinned map differs: {mismatch}. Remove the pin (rm {path}) or rename the map.");
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

    /// <summary>Opens the map pinned at <paramref name="path"/> and checks that it is the map <paramref name="expected"/>
    /// describes (type, key and value size, max_entries, flags); <see cref="MapMismatchException"/> names each difference.</summary>
    public static Map OpenPinned(string path, MapSpec expected)
    {
        var map = OpenPinned(path, expected.Name);
        string? mismatch = map.DescribeMismatch(expected);
        if (mismatch is null) return map;
        map.Dispose();
        throw new MapMismatchException($"the map pinned at '{path}' is not the expected map '{expected.Name}': {mismatch}");
    }

    /// <summary>Opens the map with kernel id <paramref name="id"/> (BPF_MAP_GET_FD_BY_ID; e.g. an inner map read from a map of maps).</summary>
    public static Map OpenById(uint id, string? name = null)
    {
        var attr = new GetFdByIdAttr { Id = id };
        int fd = BpfSyscall.InvokeOrThrow(BpfCommand.MapGetFdById, ref attr, $"open map id {id}");
        var handle = new MapHandle(fd);
        try
        {
            var info = ObjectInfo.Get<KernelMapInfo>(handle, $"get info of map id {id}");
            return new Map(name ?? ObjectName.Read(new ReadOnlySpan<byte>(info.Name, 16)), handle, (MapType)info.Type,
                info.KeySize, info.ValueSize, info.MaxEntries, info.MapFlags);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

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
                throw new MapMismatchException($"'{path}' is pinned, but it is not a map");
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
        if (MaxEntries != EffectiveMaxEntries(spec)) differences.Add($"max_entries {MaxEntries} (object: {EffectiveMaxEntries(spec)})");
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
        /// <summary>The inner map template of a map of maps (inner_map_fd).</summary>
        public Map? InnerMap { get; init; }
        public uint NumaNode { get; init; }
        public ulong MapExtra { get; init; }
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
            NumaNode = request.NumaNode,
            MapExtra = request.MapExtra,
        };
        ObjectName.Write(request.KernelName ?? request.Name, new Span<byte>(attr.MapName, 16));
        if (request.InnerMap is null) return BpfSyscall.Invoke(BpfCommand.MapCreate, ref attr, out errno);
        using var inner = request.InnerMap.Handle.Lease();
        attr.InnerMapFd = (uint)inner.Fd;
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
            MapType.PerfEventArray => $"a perf_event_array needs 4-byte keys and values; max_entries 0 means one per possible CPU ({PossibleCpus.Count})",
            MapType.RingBuf or MapType.UserRingBuf => "a ring buffer needs key and value size 0 and max_entries a power of two multiple of the page size",
            MapType.Array or MapType.PerCpuArray => "an array map needs 4-byte keys and a non-zero value size",
            MapType.Queue or MapType.Stack => "queue and stack maps need key size 0",
            MapType.ArrayOfMaps or MapType.HashOfMaps => request.InnerMap is null
                ? "a map of maps needs an inner map template: create it with Map.CreateMapOfMaps(outer, innerTemplate)"
                : $"the kernel refused the inner map template ({request.InnerMap}) or the outer map's parameters",
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
