using Ebpf.Btf;
using Ebpf.Compiler.Frontend;
using Ebpf.Compiler.IR;
using Ebpf.Compiler.Types;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

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
    readonly TypeLayouts _layouts;
    readonly BtfTypeMapper _mapper;
    readonly Dictionary<ITypeSymbol, List<ISymbol>> _members = new(SymbolEqualityComparer.Default);
    readonly Dictionary<ITypeSymbol, BtfType> _types = new(SymbolEqualityComparer.Default);
    readonly Dictionary<ITypeSymbol, BtfType> _roots = new(SymbolEqualityComparer.Default);

    public CoreRelocationTypes(IEnumerable<CoreRelocationRequest> requests, TypeLayouts layouts, BtfTypeMapper mapper)
    {
        _layouts = layouts;
        _mapper = mapper;
        foreach (var request in requests)
        {
            var type = request.Root;
            Members(type);
            foreach (var field in request.Fields)
            {
                var list = Members(field.ContainingType);
                if (!list.Contains(field, SymbolEqualityComparer.Default)) list.Add(field);
                type = field.Type;
            }
            if (request.Bitfield is { } bitfield)
            {
                var list = Members(bitfield.ContainingType);
                if (!list.Contains(bitfield, SymbolEqualityComparer.Default)) list.Add(bitfield);
            }
        }
        foreach (var (type, list) in _members)
        {
            var layout = _layouts.GetLayout(type);
            list.Sort((a, b) => BitOffset(layout, a).CompareTo(BitOffset(layout, b)));
        }
    }

    /// <summary>Where a member of the local view starts, in bits: a field's compiled offset, or a bit-field's own.</summary>
    static long BitOffset(TypeLayout? layout, ISymbol member) => member switch
    {
        IPropertySymbol p => KernelApi.Bitfield(p)?.BitOffset ?? 0,
        IFieldSymbol f => (layout?.Find(f)?.Offset ?? 0) * 8L,
        _ => 0,
    };

    List<ISymbol> Members(ITypeSymbol type)
        => _members.TryGetValue(type, out var list) ? list : _members[type] = new List<ISymbol>();

    /// <summary>The BTF record of <paramref name="request"/> at <paramref name="slot"/>.</summary>
    public BtfCoreRelocation Record(int slot, CoreRelocationRequest request)
    {
        string access = request.EnumeratorIndex >= 0
            ? request.EnumeratorIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "0" + string.Concat(request.Fields.Append<ISymbol>(request.Bitfield!).Where(m => m is not null)
                .Select(f => ":" + Members(f.ContainingType).FindIndex(m => SymbolEqualityComparer.Default.Equals(m, f))));
        return new BtfCoreRelocation(slot, Root(request.Root), access, request.Kind);
    }

    /// <summary>The type a relocation names: the struct, union or enum, or the typedef naming an anonymous one.</summary>
    BtfType Root(ITypeSymbol type)
    {
        var btf = Map(type);
        if (_roots.TryGetValue(type, out var root)) return root;
        return btf;
    }

    BtfType Map(ITypeSymbol type)
    {
        if (_types.TryGetValue(type, out var known)) return known;
        switch (type)
        {
            case IPointerTypeSymbol pointer:
                return _types[type] = new BtfPointer(pointer.PointedAtType is INamedTypeSymbol n && KernelApi.CoreTypeName(n) is not null ? Map(n) : BtfVoid.Instance);
            case IFunctionPointerTypeSymbol:
                return _types[type] = new BtfPointer(BtfVoid.Instance);
            case INamedTypeSymbol { TypeKind: TypeKind.Enum } e when KernelApi.CoreTypeName(e) is { } enumName:
                return _types[type] = Enum(e, enumName);
            case INamedTypeSymbol { TypeKind: TypeKind.Struct } s when KernelApi.CoreTypeName(s) is { } name:
                return Struct(s, name);
            case INamedTypeSymbol { TypeKind: TypeKind.Struct } s when IsInlineArray(s) && _layouts.GetLayout(s) is { Fields: [var element] }:
                return _types[type] = new BtfArray(Map(element.Field.Type), (uint)element.ElementCount);
            default:
                return _types[type] = _mapper.Map(type);
        }
    }

    BtfType Struct(INamedTypeSymbol type, string name)
    {
        var (isUnion, isTypedef) = KernelApi.CoreTypeFlags(type);
        var layout = _layouts.GetLayout(type);
        var btf = new BtfStruct(isTypedef || name.Length == 0 ? null : name, (uint)(layout?.Size ?? 0), isUnion);
        _types[type] = btf; // before the members: a member may point back to this type
        if (isTypedef) _roots[type] = new BtfTypedef(name, btf);
        foreach (var member in _members.GetValueOrDefault(type) ?? [])
        {
            if (member is IPropertySymbol bitfield)
            {
                var (bitOffset, bitSize) = KernelApi.Bitfield(bitfield)!.Value;
                btf.Members.Add(new BtfMember(KernelApi.CoreMemberName(bitfield), Map(bitfield.Type), (uint)bitOffset, (uint)bitSize));
                continue;
            }
            var field = (IFieldSymbol)member;
            var placed = layout?.Find(field);
            BtfType memberType = field.IsFixedSizeBuffer && placed is not null
                ? new BtfArray(Map(placed.ElementType), (uint)placed.ElementCount)
                : Map(field.Type);
            btf.Members.Add(new BtfMember(KernelApi.CoreMemberName(field), memberType, (uint)(placed?.Offset ?? 0) * 8));
        }
        return btf;
    }

    BtfEnum Enum(INamedTypeSymbol type, string name)
    {
        var underlying = type.EnumUnderlyingType!;
        bool signed = underlying.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64;
        int size = underlying.SpecialType switch
        {
            SpecialType.System_Byte or SpecialType.System_SByte => 1,
            SpecialType.System_Int16 or SpecialType.System_UInt16 => 2,
            SpecialType.System_Int64 or SpecialType.System_UInt64 => 8,
            _ => 4,
        };
        var values = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
            .Select(f => new BtfEnumValue(KernelApi.CoreMemberName(f), f.ConstantValue is ulong u ? unchecked((long)u) : Convert.ToInt64(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        return new BtfEnum(name.Length == 0 ? null : name, (uint)size, signed, values);
    }

    static bool IsInlineArray(INamedTypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute");
}
