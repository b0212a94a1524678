using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.Output;
using Ebpf.Object;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>Discovery's model of an object (Roslyn symbols) as the plain data object assembly reads.</summary>
public static class ObjectLowering
{
    /// <summary>The object after its functions are compiled (they complete the <c>.rodata</c> pool and name the kfuncs they call).</summary>
    public static LoweredObject Lower(BpfObjectModel model, DataTypeBuilder types, IEnumerable<CompiledFunction> functions)
    {
        Types.DataType? Of(ITypeSymbol? type) => type is null ? null : types.Of(type);
        var maps = model.Maps.Select(m => new LoweredMap(m.Name, m.Type, Of(m.KeyType), Of(m.ValueType), m.KeySize, m.ValueSize, m.MaxEntries, m.Flags,
            m.Pinning, m.Inner is { } i ? new LoweredInnerMap(i.Type, Of(i.KeyType), Of(i.ValueType), i.KeySize, i.ValueSize, i.MaxEntries, i.Flags) : null)).ToList();
        var sections = new[] { GlobalDiscovery.ReadOnlyData, GlobalDiscovery.Data, GlobalDiscovery.Bss }.Select(section => new LoweredDataSection(section,
            model.Globals.Where(g => g.Section == section).Select(g => new LoweredGlobal(g.Name, g.Offset, g.Size, g.InitialValue, types.Of(g.Field.Type))).ToList(),
            section == GlobalDiscovery.ReadOnlyData ? model.ReadOnlyData.Select(d => new PooledData(d.Offset, d.Bytes)).ToList() : [],
            IsReadOnly: section == GlobalDiscovery.ReadOnlyData, IsZeroFilled: section == GlobalDiscovery.Bss)).ToList();
        var kernelVariables = model.KernelVariables.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => types.Of(g.First().Field.Type), StringComparer.Ordinal);
        return new LoweredObject(model.Name, model.License, maps, sections, KernelFunctions(model, types, functions), kernelVariables);
    }

    public static LoweredProgram Program(ProgramModel program) => program.Context switch
    {
        ContextKind.TracepointRecord => new(program.SectionName, program.Type, program.ExpectedAttachType, program.AttachTarget, ContextPointer.FirstParameter),
        ContextKind.Tracing => new(program.SectionName, program.Type, program.ExpectedAttachType, program.AttachTarget, ContextPointer.ArgumentArray),
        _ => new(program.SectionName, program.Type, program.ExpectedAttachType, program.AttachTarget, ContextPointer.KernelStruct,
            ProgramKinds.KernelContextStruct(program.Context)),
    };

    /// <summary>The declarations of the kfuncs <paramref name="functions"/> call: the first method of the compilation's
    /// assembly that declares each kernel name.</summary>
    static Dictionary<string, Types.FunctionPrototype> KernelFunctions(BpfObjectModel model, DataTypeBuilder types, IEnumerable<CompiledFunction> functions)
    {
        var called = functions.SelectMany(f => f.Relocations).Where(r => r.Kind == RelocationKind.Kfunc).Select(r => r.Symbol)
            .Distinct(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, Types.FunctionPrototype>(StringComparer.Ordinal);
        if (called.Count == 0) return result;
        var declarations = new Dictionary<string, IMethodSymbol>(StringComparer.Ordinal);
        Collect(model.Class.ContainingAssembly.GlobalNamespace, declarations);
        foreach (var name in called) result[name] = types.Prototype(declarations[name]);
        return result;
    }

    static void Collect(INamespaceOrTypeSymbol container, Dictionary<string, IMethodSymbol> into)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is IMethodSymbol method && KernelApi.KfuncName(method) is { } name) into.TryAdd(name, method);
            else if (member is INamespaceOrTypeSymbol nested) Collect(nested, into);
        }
    }
}
