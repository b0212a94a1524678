using Ebpf.Btf;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.Types;
using Ebpf.Object;

namespace Ebpf.Compiler.Output;

/// <summary>One compiled function and, for an entry program, its section and kernel types (null for a sub-program).</summary>
public sealed record AssembledFunction(CompiledFunction Function, LoweredProgram? Program);

/// <summary>Assembles an object's compiled functions, maps and globals into an <see cref="ObjectSpec"/> with its
/// BTF: one FUNC + FUNC_PROTO per function (global linkage for entry programs, static for sub-programs),
/// the <c>.maps</c> DATASEC of map definitions, and a DATASEC per global data section whose VARs are the
/// C# fields (<c>.rodata</c> VARs <c>const volatile</c>, libbpf's idiom for values set before load).</summary>
public sealed class ObjectAssembler
{
    readonly LoweredObject _model;
    readonly BtfTypeMapper _mapper = new();
    readonly BtfBuilder _btf = new();
    CoreRelocationTypes? _core;

    public ObjectAssembler(LoweredObject model) => _model = model;

    /// <summary>The object: entry programs in <paramref name="functions"/> order, then sub-programs in <c>.text</c>.</summary>
    public ObjectSpec Assemble(IReadOnlyList<AssembledFunction> functions)
    {
        var spec = new ObjectSpec { License = _model.License };
        _core = new CoreRelocationTypes(functions.SelectMany(f => f.Function.CoreRelocations).Select(r => r.Request), _mapper);
        foreach (var f in functions.Where(f => f.Program != null).Concat(functions.Where(f => f.Program == null)))
            spec.Programs.Add(Program(f));
        AddMaps(spec);
        AddDataSections(spec);
        AddKernelFunctions(spec);
        spec.Btf = _btf.Build();
        return spec;
    }

    ProgramSpec Program(AssembledFunction assembled)
    {
        var (function, program) = (assembled.Function, assembled.Program);
        var func = new BtfFunc(function.Name, Prototype(function.Prototype, program), program != null ? BtfFuncLinkage.Global : BtfFuncLinkage.Static);
        _btf.Add(func);
        var section = program?.SectionName ?? ".text";
        _btf.AddString(section);
        foreach (var line in function.LineInfos)
        {
            _btf.AddString(line.FileName);
            _btf.AddString(line.LineText);
        }
        return new ProgramSpec
        {
            Name = function.Name,
            SectionName = section,
            Type = program?.Type ?? ProgramType.Unspecified,
            ExpectedAttachType = program?.ExpectedAttachType ?? AttachType.None,
            AttachTarget = program?.AttachTarget,
            Instructions = function.Instructions,
            Relocations = function.Relocations,
            FuncInfos = new[] { new BtfFuncInfo(0, func) },
            LineInfos = function.LineInfos,
            CoreRelocations = CoreRelocations(function),
        };
    }

    /// <summary>The function's CO-RE relocation records; their types and access strings go into the object's BTF.</summary>
    IReadOnlyList<BtfCoreRelocation> CoreRelocations(CompiledFunction function)
    {
        var records = function.CoreRelocations.Select(r => _core!.Record(r.Slot, r.Request)).ToList();
        foreach (var record in records)
        {
            _btf.Add(record.Type);
            _btf.AddString(record.AccessString);
        }
        return records;
    }

    /// <summary>An entry program takes only its context pointer (probe arguments bound to extra C# parameters
    /// are read from it); a sub-program's parameters are its C# parameters, by-reference ones as pointers.</summary>
    BtfFuncProto Prototype(FunctionPrototype prototype, LoweredProgram? program)
    {
        if (program != null)
        {
            var name = prototype.Parameters.FirstOrDefault()?.Name ?? "ctx";
            return new BtfFuncProto(_mapper.Int, new[] { new BtfParameter(name, ContextPointer(prototype, program)) });
        }
        var parameters = prototype.Parameters
            .Select(p => new BtfParameter(BtfTypeMapper.CIdentifier(p.Name), p.ByReference ? new BtfPointer(_mapper.Map(p.Type)) : _mapper.Map(p.Type)))
            .ToList();
        BtfType returns = prototype.ReturnType is not { } returnType ? BtfVoid.Instance
            : prototype.ReturnsByReference ? new BtfPointer(_mapper.Map(returnType))
            : _mapper.Map(returnType);
        return new BtfFuncProto(returns, parameters);
    }

    /// <summary>The kfuncs the programs call, as clang describes <c>extern ... __ksym</c> functions: an extern FUNC with the
    /// declaration's prototype (which loaders check against the kernel's), listed in a <c>.ksyms</c> DATASEC.</summary>
    /// The kernel variables they take the address of (typed ksyms) are extern VARs of the declared type in the same
    /// DATASEC, as clang describes <c>extern const struct rq runqueues __ksym;</c>.</summary>
    void AddKernelFunctions(ObjectSpec spec)
    {
        List<string> Referenced(RelocationKind kind) => spec.Programs.SelectMany(p => p.Relocations).Where(r => r.Kind == kind).Select(r => r.Symbol)
            .Distinct(StringComparer.Ordinal).ToList();
        var called = Referenced(RelocationKind.Kfunc);
        var read = Referenced(RelocationKind.Ksym);
        if (called.Count == 0 && read.Count == 0) return;
        var functions = called.Select(name => new BtfFunc(name, KernelFunctionPrototype(_model.KernelFunctions[name]), BtfFuncLinkage.Extern)).ToList();
        foreach (var f in functions) _btf.Add(f);
        var variables = new List<BtfVarSecInfo>();
        foreach (var name in read)
        {
            var type = _model.KernelVariables?.GetValueOrDefault(name) ?? throw new InvalidOperationException($"kernel variable '{name}' is referenced but not declared");
            var variable = new BtfVar(name, new BtfQualifier(BtfQualifierKind.Const, KernelType(type)), BtfVarLinkage.GlobalExtern);
            _btf.Add(variable);
            variables.Add(new BtfVarSecInfo(variable, 0, (uint)Math.Max(0, SizeOf(type))));
        }
        _btf.Add(new BtfDatasec(".ksyms", 0, variables) { Functions = functions });
    }

    /// <summary>A kernel type as loaders compare it with the kernel's: a kernel struct (<c>[CoreType]</c>) named and sized
    /// without members (the kernel's own BTF describes them), anything else as the C# type.</summary>
    BtfType KernelType(DataType type) => type switch
    {
        _ when KernelName(type) is { } kernelName
            => _kernelStructs.TryGetValue(kernelName, out var known) ? known : _kernelStructs[kernelName] = new BtfStruct(kernelName, (uint)SizeOf(type)),
        PointerType p => new BtfPointer(KernelType(p.Pointee)),
        _ => _mapper.Map(type),
    };

    /// <summary>A kfunc's prototype as loaders compare it with the kernel's (kinds through pointers): a kernel struct
    /// (<c>[CoreType]</c>) is named and sized but carries no members, which the kernel's own BTF describes.</summary>
    BtfFuncProto KernelFunctionPrototype(FunctionPrototype prototype)
    {
        BtfType Map(DataType type) => type is PointerType ? KernelType(type) : _mapper.Map(type);
        var parameters = prototype.Parameters.Select(p => new BtfParameter(BtfTypeMapper.CIdentifier(p.Name), Map(p.Type))).ToList();
        return new BtfFuncProto(prototype.ReturnType is { } returnType ? Map(returnType) : BtfVoid.Instance, parameters);
    }

    static string? KernelName(DataType type) => type switch { StructType s => s.Kernel?.Name, EnumType e => e.KernelName, _ => null };

    static int SizeOf(DataType type) => type switch { StructType s => s.Size ?? 0, EnumType e => e.Size, _ => 0 };

    readonly Dictionary<string, BtfStruct> _kernelStructs = new(StringComparer.Ordinal);

    BtfType ContextPointer(FunctionPrototype prototype, LoweredProgram program) => program.Context switch
    {
        Output.ContextPointer.FirstParameter => new BtfPointer(_mapper.Map(prototype.Parameters[0].Type)),
        // BPF_PROG-style programs see their arguments as an array of u64.
        Output.ContextPointer.ArgumentArray => new BtfPointer(_mapper.UnsignedLong),
        _ => new BtfPointer(new BtfForward(program.KernelContextStruct!)),
    };

    void AddMaps(ObjectSpec spec)
    {
        if (_model.Maps.Count == 0) return;
        var definitions = new MapDefinitions(_mapper);
        var variables = new List<BtfVarSecInfo>();
        uint offset = 0;
        foreach (var map in _model.Maps)
        {
            var (definition, key, value, inner) = definitions.Define(map);
            var variable = new BtfVar(map.Name, definition, BtfVarLinkage.GlobalAllocated);
            variables.Add(new BtfVarSecInfo(variable, offset, definition.Size));
            offset += definition.Size;
            spec.Maps.Add(new MapSpec
            {
                Name = map.Name,
                Type = map.Type,
                KeySize = map.KeySize,
                ValueSize = map.ValueSize,
                MaxEntries = map.MaxEntries,
                Flags = map.Flags,
                Pinning = map.Pinning,
                KeyType = key,
                ValueType = value,
                BtfVar = variable,
                InnerMap = map.Inner is { } template ? new MapSpec
                {
                    Name = map.Name + ".inner",
                    Type = template.Type,
                    KeySize = template.KeySize,
                    ValueSize = template.ValueSize,
                    MaxEntries = template.MaxEntries,
                    Flags = template.Flags,
                    KeyType = inner!.Value.Key,
                    ValueType = inner.Value.Value,
                } : null,
            });
        }
        _btf.Add(new BtfDatasec(".maps", offset, variables));
    }

    void AddDataSections(ObjectSpec spec)
    {
        foreach (var data in _model.DataSections)
        {
            var (section, globals, pooled) = (data.Name, data.Globals, data.Pooled);
            if (globals.Count == 0 && pooled.Count == 0) continue;
            uint size = globals.Select(g => g.Offset + g.Size).Concat(pooled.Select(p => p.Offset + (uint)p.Bytes.Length)).Max();
            var contents = new byte[size];
            foreach (var g in globals) g.InitialValue.CopyTo(contents, (int)g.Offset);
            foreach (var p in pooled) p.Bytes.CopyTo(contents, (int)p.Offset);

            var variables = globals.Select(g => new BtfVarSecInfo(new BtfVar(g.Name, VariableType(g, data), BtfVarLinkage.GlobalAllocated), g.Offset, g.Size)).ToList();
            var datasec = new BtfDatasec(section, size, variables);
            _btf.Add(datasec);
            spec.DataSections.Add(new DataSectionSpec
            {
                Name = section,
                Size = size,
                Contents = data.IsZeroFilled ? null : contents,
                BtfDatasec = datasec,
            });
        }
    }

    BtfType VariableType(LoweredGlobal global, LoweredDataSection section)
    {
        var type = _mapper.Map(global.Type);
        return section.IsReadOnly
            ? new BtfQualifier(BtfQualifierKind.Const, new BtfQualifier(BtfQualifierKind.Volatile, type))
            : type;
    }
}
