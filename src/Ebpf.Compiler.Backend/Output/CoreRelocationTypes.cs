using Ebpf.Btf;
using Ebpf.Compiler.IR;
using Ebpf.Compiler.Types;

namespace Ebpf.Compiler.Output;

/// <summary>The local BTF of the kernel types an object's CO-RE relocations name, and each relocation's record.</summary>
/// <remarks>
/// As clang does for <c>preserve_access_index</c> types, the object carries its own ("local") view of each kernel
/// type; the loader (libbpf, the kernel, or our runtime) matches it by name and kind against the running kernel's
/// BTF and patches the instructions. The local view holds only the members some relocation accesses (the
/// <c>struct task_struct___local</c> idiom), at their compiled offsets: the access string's indices ("0:3:1") are
/// positions in these trimmed member lists. Members the generator flattened out of anonymous structs and unions are
/// direct members here; libbpf's and the kernel's matchers search anonymous members of the target by name.
/// </remarks>
internal sealed class CoreRelocationTypes
{
    readonly BtfTypeMapper _mapper;
    readonly Dictionary<StructType, List<CoreMember>> _members = new();
    readonly Dictionary<DataType, BtfType> _types = new();
    readonly Dictionary<DataType, BtfType> _roots = new();

    public CoreRelocationTypes(IEnumerable<CoreRelocationRequest> requests, BtfTypeMapper mapper)
    {
        _mapper = mapper;
        foreach (var request in requests)
        {
            if (request.Root is StructType root) Members(root);
            foreach (var field in request.Fields)
            {
                var list = Members(field.Owner);
                if (!list.Contains(field)) list.Add(field);
            }
            if (request.Bitfield is { } bitfield)
            {
                var list = Members(bitfield.Owner);
                if (!list.Contains(bitfield)) list.Add(bitfield);
            }
        }
        foreach (var list in _members.Values)
            list.Sort((a, b) => a.BitOffset.CompareTo(b.BitOffset));
    }

    List<CoreMember> Members(StructType type)
        => _members.TryGetValue(type, out var list) ? list : _members[type] = new List<CoreMember>();

    /// <summary>The BTF record of <paramref name="request"/> at <paramref name="slot"/>.</summary>
    public BtfCoreRelocation Record(int slot, CoreRelocationRequest request)
    {
        string access = request.EnumeratorIndex >= 0
            ? request.EnumeratorIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "0" + string.Concat(request.Fields.Append<CoreMember?>(request.Bitfield).OfType<CoreMember>()
                .Select(f => ":" + Members(f.Owner).IndexOf(f)));
        return new BtfCoreRelocation(slot, Root(request.Root), access, request.Kind);
    }

    /// <summary>The type a relocation names: the struct, union or enum, or the typedef naming an anonymous one.</summary>
    BtfType Root(DataType type)
    {
        var btf = Map(type);
        if (_roots.TryGetValue(type, out var root)) return root;
        return btf;
    }

    BtfType Map(DataType type)
    {
        if (_types.TryGetValue(type, out var known)) return known;
        switch (type)
        {
            case PointerType pointer:
                return _types[type] = new BtfPointer(pointer.Pointee is StructType { Kernel: not null } or EnumType { KernelName: not null } ? Map(pointer.Pointee) : BtfVoid.Instance);
            case FunctionPointerType:
                return _types[type] = new BtfPointer(BtfVoid.Instance);
            case EnumType { KernelName: { } enumName } e:
                return _types[type] = Enum(e, enumName);
            case StructType { Kernel: { } kernel } s:
                return Struct(s, kernel);
            case StructType { IsInlineArray: true, Fields: [var element] }:
                return _types[type] = new BtfArray(Map(element.Type), (uint)element.ElementCount);
            default:
                return _types[type] = _mapper.Map(type);
        }
    }

    BtfType Struct(StructType type, CoreTypeInfo kernel)
    {
        var btf = new BtfStruct(kernel.IsTypedef || kernel.Name.Length == 0 ? null : kernel.Name, (uint)(type.Size ?? 0), kernel.IsUnion);
        _types[type] = btf; // before the members: a member may point back to this type
        if (kernel.IsTypedef) _roots[type] = new BtfTypedef(kernel.Name, btf);
        foreach (var member in _members.GetValueOrDefault(type) ?? [])
        {
            if (member is BitfieldMember bitfield)
            {
                btf.Members.Add(new BtfMember(bitfield.KernelName, Map(bitfield.Type), (uint)bitfield.FirstBit, (uint)bitfield.BitSize));
                continue;
            }
            var field = (StructField)member;
            BtfType memberType = field.IsFixedBuffer && field.IsPlaced
                ? new BtfArray(Map(field.ElementType), (uint)field.ElementCount)
                : Map(field.Type);
            btf.Members.Add(new BtfMember(field.KernelName, memberType, (uint)field.Offset * 8));
        }
        return btf;
    }

    static BtfEnum Enum(EnumType type, string name)
    {
        var values = type.Enumerators.Select(e => new BtfEnumValue(e.KernelName, e.Value)).ToList();
        return new BtfEnum(name.Length == 0 ? null : name, (uint)type.Size, type.IsSigned, values);
    }
}
