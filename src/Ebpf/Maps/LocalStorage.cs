using System.Runtime.CompilerServices;

namespace Ebpf;

/// <summary>Flags of a local-storage lookup (BPF_LOCAL_STORAGE_GET_F_CREATE).</summary>
[Flags]
public enum LocalStorageFlags : ulong
{
    /// <summary>Only find the owner's value.</summary>
    None = 0,
    /// <summary>Create the owner's value when it has none: a copy of the initial value, or zeros.</summary>
    Create = 1,
}

/// <summary>The shared behaviour of the local-storage maps: one value of <typeparamref name="T"/> hung on
/// each kernel object (task, inode, socket, cgroup) that asks for one, freed with the object.</summary>
/// <remarks>The kernel sizes these maps by their owners: max_entries is 0, and the map must be created
/// with <see cref="MapFlags.NoPrealloc"/> (the default of the constructors). The key user space uses is an
/// fd of the owner (pidfd, file, socket, cgroup); programs pass the owner's kernel pointer.
/// Managed: values are kept per owner pointer, so probe logic runs in a test with any distinct pointers.</remarks>
public abstract unsafe class LocalStorageMap<T> : BpfMap where T : unmanaged
{
    readonly Dictionary<nint, Maps.Storage.ValueSlot<T>> _values = [];
    readonly Lock _gate = new();

    private protected LocalStorageMap(MapType type, MapFlags flags, MapPinning pinning) : base(type, flags, pinning) { }

    /// <summary>The owner's value, created from <paramref name="initial"/> (zeros when null) when
    /// <paramref name="flags"/> has <see cref="LocalStorageFlags.Create"/>; a null reference when the owner
    /// has none (or is null).</summary>
    private protected ref T Find(void* owner, T* initial, LocalStorageFlags flags)
    {
        if (owner is null) return ref Unsafe.NullRef<T>();
        lock (_gate)
        {
            if (!_values.TryGetValue((nint)owner, out var slot))
            {
                if ((flags & LocalStorageFlags.Create) == 0) return ref Unsafe.NullRef<T>();
                _values[(nint)owner] = slot = new(initial is null ? default : *initial);
            }
            return ref slot.Value;
        }
    }

    /// <summary>Removes the owner's value: 0, or -ENOENT when it had none.</summary>
    private protected long Remove(void* owner)
    {
        lock (_gate) return _values.Remove((nint)owner) ? 0 : -Errno.ENOENT;
    }

    /// <summary>The number of owners holding a value.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _values.Count; } }
}

/// <summary>A value per task (BPF_MAP_TYPE_TASK_STORAGE); the task is a BTF pointer such as
/// <see cref="Bpf.GetCurrentTaskBtf"/> or a tracing program's <c>task_struct*</c> argument.</summary>
/// <remarks>Kernel 5.11 (tracing programs since 5.11, every program type with <c>bpf_get_current_task_btf</c>).</remarks>
[BpfMap(MapType.TaskStorage, KeySize = 4)]
public sealed unsafe class TaskStorage<T>(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    : LocalStorageMap<T>(MapType.TaskStorage, flags, pinning) where T : unmanaged
{
    /// <summary>The task's value, or a null reference; <see cref="LocalStorageFlags.Create"/> creates it from <paramref name="value"/> (zeros when null).</summary>
    /// <remarks><c>bpf_task_storage_get(map, task, value, flags)</c>.</remarks>
    [MapHelper(156)]
    public ref T Get(void* task, T* value = null, LocalStorageFlags flags = LocalStorageFlags.None) => ref Find(task, value, flags);

    /// <summary>Removes the task's value: 0 or -ENOENT.</summary>
    /// <remarks><c>bpf_task_storage_delete(map, task)</c>.</remarks>
    [MapHelper(157)]
    public long Delete(void* task) => Remove(task);
}

/// <summary>A value per inode (BPF_MAP_TYPE_INODE_STORAGE), from LSM programs' <c>inode*</c> or <c>file*</c> arguments.</summary>
/// <remarks>Kernel 5.10; LSM programs only (on this machine LSM programs load with EPERM).</remarks>
[BpfMap(MapType.InodeStorage, KeySize = 4)]
public sealed unsafe class InodeStorage<T>(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    : LocalStorageMap<T>(MapType.InodeStorage, flags, pinning) where T : unmanaged
{
    /// <summary>The inode's value, or a null reference; <see cref="LocalStorageFlags.Create"/> creates it.</summary>
    /// <remarks><c>bpf_inode_storage_get(map, inode, value, flags)</c>.</remarks>
    [MapHelper(145)]
    public ref T Get(void* inode, T* value = null, LocalStorageFlags flags = LocalStorageFlags.None) => ref Find(inode, value, flags);

    /// <summary>Removes the inode's value: 0 or -ENOENT.</summary>
    /// <remarks><c>bpf_inode_storage_delete(map, inode)</c>.</remarks>
    [MapHelper(146)]
    public long Delete(void* inode) => Remove(inode);
}

/// <summary>A value per socket (BPF_MAP_TYPE_SK_STORAGE): from a socket pointer, or from a cgroup sock program's context.</summary>
/// <remarks>Kernel 5.2.</remarks>
[BpfMap(MapType.SkStorage, KeySize = 4)]
public sealed unsafe class SkStorage<T>(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    : LocalStorageMap<T>(MapType.SkStorage, flags, pinning) where T : unmanaged
{
    /// <summary>The socket's value, or a null reference; <see cref="LocalStorageFlags.Create"/> creates it.</summary>
    /// <remarks><c>bpf_sk_storage_get(map, sk, value, flags)</c>.</remarks>
    [MapHelper(107)]
    public ref T Get(void* sk, T* value = null, LocalStorageFlags flags = LocalStorageFlags.None) => ref Find(sk, value, flags);

    /// <summary>The value of the socket a cgroup sock program runs for (its context is the socket).</summary>
    /// <remarks><c>bpf_sk_storage_get(map, ctx, value, flags)</c>; managed, the socket is <see cref="SockContext.Socket"/>.</remarks>
    [MapHelper(107)]
    public ref T Get(SockContext sk, T* value = null, LocalStorageFlags flags = LocalStorageFlags.None) => ref Find((void*)sk.Socket, value, flags);

    /// <summary>Removes the socket's value: 0 or -ENOENT.</summary>
    /// <remarks><c>bpf_sk_storage_delete(map, sk)</c>.</remarks>
    [MapHelper(108)]
    public long Delete(void* sk) => Remove(sk);
}

/// <summary>A value per cgroup (BPF_MAP_TYPE_CGRP_STORAGE).</summary>
/// <remarks>Kernel 6.2. Programs reach it through <c>bpf_cgrp_storage_get</c>/<c>_delete</c> (helpers 210 and 211),
/// which the UAPI header this API is generated from does not list yet, so the map has no program-side methods;
/// user space reads and writes it by cgroup fd.</remarks>
[BpfMap(MapType.CgrpStorage, KeySize = 4)]
public sealed class CgrpStorage<T>(MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
    : LocalStorageMap<T>(MapType.CgrpStorage, flags, pinning) where T : unmanaged;
