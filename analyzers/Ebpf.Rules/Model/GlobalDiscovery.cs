using System.Buffers.Binary;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Model;

/// <summary>Places the static non-map fields of a <c>[BpfObject]</c> class in global data sections, as
/// clang places C globals: <c>static readonly</c> → <c>.rodata</c> (user space may set it before load),
/// other fields with a non-zero constant initializer → <c>.data</c>, the rest → <c>.bss</c>. Fields are
/// laid out in declaration order, each at its type's alignment; initial bytes come from constant
/// initializers (numbers, enums, <c>bool</c>, <c>char</c>, <c>default</c>, and struct object
/// initializers of constants).</summary>
public static class GlobalDiscovery
{
    public const string ReadOnlyData = ".rodata", Data = ".data", Bss = ".bss";

    public static List<GlobalModel> Discover(IEnumerable<IFieldSymbol> fields, Compilation compilation, TypeLayouts layouts, ICollection<Diagnostic> diagnostics)
    {
        var globals = new List<GlobalModel>();
        var ends = new Dictionary<string, uint> { [ReadOnlyData] = 0, [Data] = 0, [Bss] = 0 };
        foreach (var field in fields)
        {
            var where = field.Locations.FirstOrDefault() ?? Location.None;
            var layout = layouts.GetLayout(field.Type, out var reason);
            var intendedSection = field.IsReadOnly ? ReadOnlyData : Data;
            if (layout is null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GlobalTypeLayout, where, field.Name, field.Type.ToDisplayString(), intendedSection, reason));
                continue;
            }
            var bytes = new byte[layout.Size];
            var initializer = Initializer(field, compilation);
            if (initializer != null && !InitialBytes.TryWrite(initializer, field.Type, bytes, 0, layouts))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GlobalInitializerNotConstant, initializer.Syntax.GetLocation(), field.Name));
                continue;
            }
            string section = field.IsReadOnly ? ReadOnlyData : bytes.Any(b => b != 0) ? Data : Bss;
            uint offset = (uint)TypeLayouts.AlignUp((int)ends[section], layout.Alignment);
            ends[section] = offset + (uint)layout.Size;
            globals.Add(new GlobalModel { Field = field, Section = section, Offset = offset, Size = (uint)layout.Size, InitialValue = bytes });
        }
        return globals;
    }

    static IOperation? Initializer(IFieldSymbol field, Compilation compilation)
    {
        foreach (var reference in field.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer: { } initializer })
                return (OperationTree.Of(compilation, initializer) as IFieldInitializerOperation)?.Value;
        return null;
    }
}

/// <summary>Little-endian bytes of constant initializers.</summary>
static class InitialBytes
{
    /// <summary>Writes the value of <paramref name="value"/> (of type <paramref name="type"/>) at
    /// <paramref name="offset"/>; false when it is not a compile-time constant.</summary>
    public static bool TryWrite(IOperation value, ITypeSymbol type, byte[] bytes, int offset, TypeLayouts layouts)
    {
        if (value.ConstantValue is { HasValue: true } constant)
            return constant.Value is null ? true : TryWriteScalar(constant.Value, bytes, offset, layouts.GetLayout(type)?.Size ?? 0);
        switch (value)
        {
            case IConversionOperation { IsImplicit: true } conversion when SymbolEqualityComparer.Default.Equals(conversion.Operand.Type, type)
                                                                        || conversion.Operand is IDefaultValueOperation:
                return TryWrite(conversion.Operand, type, bytes, offset, layouts);
            case IDefaultValueOperation:
                return true;
            case IObjectCreationOperation { Arguments.Length: 0, Type.IsValueType: true } creation
                when creation.Constructor is null || creation.Constructor.IsImplicitlyDeclared:
                return creation.Initializer is null || TryWriteMembers(creation.Initializer, bytes, offset, layouts);
        }
        return false;
    }

    static bool TryWriteMembers(IObjectOrCollectionInitializerOperation initializer, byte[] bytes, int offset, TypeLayouts layouts)
    {
        foreach (var member in initializer.Initializers)
        {
            switch (member)
            {
                case ISimpleAssignmentOperation { Target: IFieldReferenceOperation target } assignment:
                    if (FieldOffset(target.Field, layouts) is not int fieldOffset) return false;
                    if (!TryWrite(assignment.Value, target.Field.Type, bytes, offset + fieldOffset, layouts)) return false;
                    break;
                case IMemberInitializerOperation { InitializedMember: IFieldReferenceOperation target } nested:
                    if (FieldOffset(target.Field, layouts) is not int nestedOffset) return false;
                    if (!TryWriteMembers(nested.Initializer, bytes, offset + nestedOffset, layouts)) return false;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    static int? FieldOffset(IFieldSymbol field, TypeLayouts layouts) => layouts.GetLayout(field.ContainingType)?.Find(field)?.Offset;

    static bool TryWriteScalar(object value, byte[] bytes, int offset, int size)
    {
        var span = bytes.AsSpan(offset, size);
        switch (value)
        {
            case bool b: span[0] = b ? (byte)1 : (byte)0; return true;
            case char c: BinaryPrimitives.WriteUInt16LittleEndian(span, c); return true;
            case string: return false;
            case float or double or decimal: return false;
        }
        ulong raw = value switch
        {
            sbyte v => (ulong)v, byte v => v, short v => (ulong)v, ushort v => v, int v => (ulong)v, uint v => v,
            long v => (ulong)v, ulong v => v, nint v => (ulong)v, nuint v => v,
            _ => throw new InvalidOperationException($"unexpected constant {value.GetType()}"),
        };
        for (int i = 0; i < size; i++) span[i] = (byte)(raw >> (8 * i));
        return true;
    }
}
