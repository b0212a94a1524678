using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

/// <summary>The catalog of every diagnostic the eBPF toolchain reports (EBPFnnnn), shared by the
/// compiler and the IDE analyzers so both report the same IDs and messages.</summary>
/// <remarks>
/// ID ranges by category (the category is derived from the range by <see cref="Create"/>):
/// EBPF1xxx the C# subset (EBPF19xx: constructs the code generator rejects, in
/// <c>DiagnosticDescriptors.Codegen.cs</c>), EBPF2xxx verifier safety, EBPF3xxx objects, programs, maps
/// and BTF, EBPF4xxx build, EBPF9xxx internal errors. Each ID has an anchor in docs/diagnostics.md
/// with an example and the fix; AnalyzerReleases.Unshipped.md lists them (a test keeps the three in step).
/// </remarks>
public static partial class DiagnosticDescriptors
{
    /// <summary>The one factory: derives the category from the ID range and the help link from the ID.</summary>
    static DiagnosticDescriptor Create(string id, string title, string messageFormat,
        DiagnosticSeverity severity = DiagnosticSeverity.Error, string? description = null)
        => new(id, title, messageFormat, CategoryOf(id), severity, isEnabledByDefault: true,
            description: description, helpLinkUri: HelpLinkFormat.Link(HelpLinkFormat.RepositoryBase, id),
            customTags: severity == DiagnosticSeverity.Error ? new[] { WellKnownDiagnosticTags.NotConfigurable } : Array.Empty<string>());

    /// <summary>The category of an ID: <c>Ebpf.Language</c>, <c>Ebpf.Verifier</c>, <c>Ebpf.Object</c>, <c>Ebpf.Build</c> or <c>Ebpf.Internal</c>.</summary>
    public static string CategoryOf(string id)
    {
        if (id.Length != 8 || !id.StartsWith("EBPF", StringComparison.Ordinal)) throw new ArgumentException($"bad diagnostic id '{id}'", nameof(id));
        return id[4] switch
        {
            '1' => "Ebpf.Language",
            '2' => "Ebpf.Verifier",
            '3' => "Ebpf.Object",
            '4' => "Ebpf.Build",
            '9' => "Ebpf.Internal",
            _ => throw new ArgumentException($"diagnostic id '{id}' is outside the catalog's ranges", nameof(id)),
        };
    }

    // ---- EBPF1xxx: the C# subset -------------------------------------------------------------

    public static readonly DiagnosticDescriptor HeapAllocation = Create("EBPF1001",
        "Heap allocation is not available in eBPF",
        "'{0}' allocates on the managed heap, which eBPF programs do not have; use a struct, a stack local or a map value");

    public static readonly DiagnosticDescriptor ManagedArray = Create("EBPF1002",
        "Managed arrays are not available in eBPF",
        "Managed array '{0}' cannot be used in eBPF; use a fixed-size buffer, an [InlineArray] struct, stackalloc or a map");

    public static readonly DiagnosticDescriptor StringUsage = Create("EBPF1003",
        "Strings are not available in eBPF",
        "String '{0}' cannot be used in eBPF; only a string literal as the format of a helper such as Bpf.Printk is allowed (use byte buffers for text)");

    public static readonly DiagnosticDescriptor Boxing = Create("EBPF1004",
        "Boxing is not available in eBPF",
        "Converting '{0}' of type '{1}' to '{2}' boxes it on the managed heap; keep value types unboxed");

    public static readonly DiagnosticDescriptor VirtualCall = Create("EBPF1005",
        "Virtual and interface calls are not available in eBPF",
        "Call to '{0}' is dispatched at run time ({1}); eBPF only has direct calls: call a static or struct method, or use a generic method constrained to a struct");

    public static readonly DiagnosticDescriptor DelegateUsage = Create("EBPF1006",
        "Delegates and indirect calls are not available in eBPF",
        "'{0}' needs a delegate or an indirect call, which eBPF does not have; call the method directly");

    public static readonly DiagnosticDescriptor Lambda = Create("EBPF1007",
        "Lambdas are only allowed as helper callbacks",
        "A lambda or anonymous method can only be passed as the callback of an Ebpf helper such as Bpf.Loop; use a static or local function");

    public static readonly DiagnosticDescriptor ExceptionHandling = Create("EBPF1008",
        "Exceptions are not available in eBPF",
        "{0} is not supported: eBPF has no exceptions; return an error code instead");

    public static readonly DiagnosticDescriptor CheckedArithmetic = Create("EBPF1009",
        "Checked arithmetic is not available in eBPF",
        "Checked operation '{0}' would throw on overflow, and eBPF has no exceptions; use unchecked arithmetic and test the range explicitly");

    public static readonly DiagnosticDescriptor FloatingPoint = Create("EBPF1010",
        "Floating point is not available in eBPF",
        "'{0}' uses floating point ({1}), which eBPF does not have; use integers (for example fixed-point)");

    public static readonly DiagnosticDescriptor Recursion = Create("EBPF1011",
        "Recursion is not allowed in eBPF",
        "'{0}' is recursive ({1}); the verifier rejects recursive calls: rewrite it as a bounded loop");

    public static readonly DiagnosticDescriptor Async = Create("EBPF1012",
        "async and await are not available in eBPF",
        "'{0}' uses async/await; eBPF programs run to completion synchronously");

    public static readonly DiagnosticDescriptor Lock = Create("EBPF1013",
        "lock is not available in eBPF",
        "The lock statement needs a managed monitor; use Interlocked operations on map values or globals");

    public static readonly DiagnosticDescriptor Dynamic = Create("EBPF1014",
        "dynamic is not available in eBPF",
        "'{0}' is dynamically typed; eBPF code must be statically typed");

    public static readonly DiagnosticDescriptor Linq = Create("EBPF1015",
        "LINQ is not available in eBPF",
        "'{0}' uses LINQ, which allocates enumerators and delegates; write a bounded loop");

    public static readonly DiagnosticDescriptor ForeachOverNonSpan = Create("EBPF1016",
        "foreach only works over spans and inline arrays in eBPF",
        "foreach over '{0}' needs an enumerator object; use a for loop over indexes (for (int i = 0; i < n; i++))");

    public static readonly DiagnosticDescriptor CallWithoutSource = Create("EBPF1017",
        "Only methods with C# source, the Ebpf API and compiler intrinsics can be called",
        "'{0}' cannot be compiled to eBPF: {1}");

    public static readonly DiagnosticDescriptor NonConstantStackalloc = Create("EBPF1018",
        "stackalloc needs a constant size in eBPF",
        "stackalloc of a non-constant size '{0}': the eBPF stack frame is fixed at compile time (512 bytes at most); use a constant size");

    public static readonly DiagnosticDescriptor Reflection = Create("EBPF1019",
        "Reflection is not available in eBPF",
        "'{0}' uses reflection (System.Type), which eBPF does not have");

    public static readonly DiagnosticDescriptor ReferenceType = Create("EBPF1020",
        "Reference types are not available in eBPF",
        "'{0}' has the reference type '{1}'; eBPF code can only use unmanaged value types (integers, enums, structs, pointers)");

    public static readonly DiagnosticDescriptor UnsupportedConstruct = Create("EBPF1021",
        "C# construct not supported in eBPF",
        "{0} is not supported in eBPF code");

    public static readonly DiagnosticDescriptor ForeignStaticField = Create("EBPF1022",
        "Static field outside the eBPF object",
        "Static field '{0}' is not part of the eBPF object '{1}': only the object's own maps and globals, and constants, can be used");

    public static readonly DiagnosticDescriptor ManagedOnlyMember = Create("EBPF1023",
        "Member exists only for managed execution",
        "'{0}' is marked [ManagedOnly]: it exists for tests and user space, and has no eBPF translation");

    // ---- EBPF2xxx: verifier safety -----------------------------------------------------------

    public static readonly DiagnosticDescriptor StackTooLarge = Create("EBPF2001",
        "Stack frame too large",
        "'{0}' needs {1} bytes of stack, over the {2} bytes the kernel allows an eBPF function (largest: {3}): {4}");

    public static readonly DiagnosticDescriptor CallChainStackTooLarge = Create("EBPF2002",
        "Call chain uses too much stack",
        "The call chain {0} needs {1} bytes of stack, over the {2} bytes the verifier allows nested BPF-to-BPF calls (each frame rounded up to 32 bytes; largest in '{3}': {4}): {5}");

    public static readonly DiagnosticDescriptor CallChainTooDeep = Create("EBPF2003",
        "BPF-to-BPF call chain too deep",
        "The call chain {0} is {1} frames deep; the verifier allows at most {2} nested frames: inline some of the calls ([MethodImpl(MethodImplOptions.AggressiveInlining)])");

    // ---- EBPF3xxx: objects, programs, maps, globals, BTF -------------------------------------

    public static readonly DiagnosticDescriptor ObjectClassNotStaticPartial = Create("EBPF3001",
        "[BpfObject] class must be static partial",
        "[BpfObject] class '{0}' must be declared 'static partial'");

    public static readonly DiagnosticDescriptor ProgramNotStatic = Create("EBPF3002",
        "Program method must be static",
        "Program method '{0}' must be static");

    public static readonly DiagnosticDescriptor ProgramContextParameter = Create("EBPF3003",
        "Wrong context parameter for the program kind",
        "Program '{0}' ({1}) must take {2} as its first parameter");

    public static readonly DiagnosticDescriptor ProgramReturnType = Create("EBPF3004",
        "Wrong return type for the program kind",
        "Program '{0}' ({1}) must return {2}");

    public static readonly DiagnosticDescriptor MultipleProgramAttributes = Create("EBPF3005",
        "More than one program attribute",
        "Method '{0}' has more than one program attribute ({1}); a method is one program");

    public static readonly DiagnosticDescriptor MapArgumentNotConstant = Create("EBPF3006",
        "Map definition argument must be a constant",
        "Argument '{0}' of map '{1}' must be a compile-time constant: the map definition is written into the object file");

    public static readonly DiagnosticDescriptor MapFieldShape = Create("EBPF3007",
        "Map field must be static readonly with an initializer",
        "Map '{0}' must be declared 'static readonly {1} {0} = new(...)'");

    public static readonly DiagnosticDescriptor MapTypeArgumentLayout = Create("EBPF3008",
        "Map key or value type has no eBPF layout",
        "The {0} type '{1}' of map '{2}' cannot be used: {3}");

    public static readonly DiagnosticDescriptor MapSizeInvalid = Create("EBPF3009",
        "Invalid map size",
        "Map '{0}': {1}");

    public static readonly DiagnosticDescriptor GlobalTypeLayout = Create("EBPF3010",
        "Global variable type has no eBPF layout",
        "Global '{0}' of type '{1}' cannot be placed in {2}: {3}");

    public static readonly DiagnosticDescriptor GlobalInitializerNotConstant = Create("EBPF3011",
        "Global initializer must be a constant",
        "The initializer of global '{0}' must be a compile-time constant (or default): its bytes are written into the object file");

    public static readonly DiagnosticDescriptor ProgramAttributeArgument = Create("EBPF3012",
        "Invalid program attribute argument",
        "Program '{0}': {1}");

    public static readonly DiagnosticDescriptor DuplicateSymbol = Create("EBPF3013",
        "Duplicate symbol name in the object",
        "'{0}' is defined more than once in object '{1}' (programs, sub-programs, maps and globals share one symbol table); rename one");

    public static readonly DiagnosticDescriptor GenericProgram = Create("EBPF3014",
        "Program method cannot be generic",
        "Program method '{0}' cannot be generic: the kernel loads one concrete function");

    public static readonly DiagnosticDescriptor ProgramOutsideObject = Create("EBPF3015",
        "Program method outside a [BpfObject] class",
        "Program method '{0}' must be declared in a [BpfObject] class");

    public static readonly DiagnosticDescriptor GenericObjectClass = Create("EBPF3016",
        "[BpfObject] class cannot be generic or nested in a generic type",
        "[BpfObject] class '{0}' cannot be generic: one class is one object file");

    public static readonly DiagnosticDescriptor ObjectWithoutPrograms = Create("EBPF3017",
        "[BpfObject] class without programs",
        "[BpfObject] class '{0}' has no program methods; its object file will only hold maps and globals",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ProgramExtraParameters = Create("EBPF3018",
        "Program kind takes no extra parameters",
        "Program '{0}' ({1}) takes only its context; extra parameters bind to probe arguments only for kprobe, uprobe, raw_tp, tp_btf, fentry, fexit and lsm programs");

    public static readonly DiagnosticDescriptor InvalidLicense = Create("EBPF3020",
        "Invalid license",
        "License of object '{0}' {1}");

    public static readonly DiagnosticDescriptor MapTypeNotSupported = Create("EBPF3021",
        "Map type not supported by the compiler",
        "Map '{0}' of type '{1}' is not supported: {2}");

    // ---- EBPF4xxx: build ---------------------------------------------------------------------

    public static readonly DiagnosticDescriptor SourceFileNotFound = Create("EBPF4001",
        "Source file not found",
        "Cannot read source file '{0}': {1}");

    public static readonly DiagnosticDescriptor NoObjectClasses = Create("EBPF4002",
        "No [BpfObject] class in the input",
        "No [BpfObject] class was found in the input; nothing to compile",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor OutputNotWritable = Create("EBPF4003",
        "Cannot write the object file",
        "Cannot write '{0}': {1}");

    public static readonly DiagnosticDescriptor ApiAssemblyNotFound = Create("EBPF4004",
        "Ebpf API assembly not found",
        "The Ebpf kernel-API assembly (Ebpf.dll) was not found: {0}");

    public static readonly DiagnosticDescriptor ReferenceNotFound = Create("EBPF4005",
        "Reference assembly not found",
        "Cannot read reference '{0}': {1}");

    // ---- EBPF9xxx: internal errors -----------------------------------------------------------

    public static readonly DiagnosticDescriptor InternalError = Create("EBPF9001",
        "Internal compiler error",
        "Internal compiler error while compiling '{0}': {1}. Please report it with this source.");

    public static readonly DiagnosticDescriptor InternalObjectError = Create("EBPF9002",
        "Internal error while writing the object",
        "Internal error while writing object '{0}': {1}. Please report it with this source.");

    static ImmutableArray<DiagnosticDescriptor>? s_all;

    /// <summary>Every descriptor of the catalog (all partial files), ordered by ID.</summary>
    public static ImmutableArray<DiagnosticDescriptor> All => s_all ??= typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToImmutableArray();

    /// <summary>The descriptor with this ID, or null.</summary>
    public static DiagnosticDescriptor? Find(string id) => All.FirstOrDefault(d => d.Id == id);

    /// <summary>The object checks of discovery (EBPF3xxx), reported by the compiler and by the IDE's ObjectAnalyzer.</summary>
    internal static IEnumerable<DiagnosticDescriptor> ObjectRules => All.Where(d => d.Id.StartsWith("EBPF30", StringComparison.Ordinal));

    internal static IEnumerable<DiagnosticDescriptor> SubsetRules => All.Where(d => d.Id.StartsWith("EBPF1", StringComparison.Ordinal) && d.Id[5] != '9');
}
