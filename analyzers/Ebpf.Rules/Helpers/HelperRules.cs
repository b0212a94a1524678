using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Ebpf.Abi;
using Ebpf.Object;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Helpers;

/// <summary>The kernel ABI rules, answered from the table in <c>Ebpf.Abi</c>: a GPL-only helper under a license
/// that is not GPL-compatible (EBPF2301), a helper the program type may not call (EBPF2302), and, against the
/// target kernel, helpers (EBPF2303), program, map and attach types (EBPF2304) and instructions (EBPF2305) that
/// kernel lacks. Each is reported at the construct: the call, the attribute, the map field, the loop.</summary>
public sealed class HelperRules
{
    const string DefaultLicense = "GPL";

    readonly EbpfSymbols _symbols;

    /// <param name="target">The oldest kernel to support; null: no target (only the license and program-type rules).</param>
    public HelperRules(EbpfSymbols symbols, KernelVersion? target)
    {
        _symbols = symbols;
        Target = target;
    }

    public KernelVersion? Target { get; }

    /// <summary>Parses the target-kernel option ("6.1"); empty or null means no target. A value that is not a version
    /// gives EBPF2306 through <paramref name="report"/>.</summary>
    public static KernelVersion? ParseTarget(string? text, Location where, Action<Diagnostic> report)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (KernelVersion.TryParse(text, out var version)) return version;
        report(Diagnostic.Create(DiagnosticDescriptors.InvalidTargetKernel, where, text));
        return null;
    }

    /// <summary>The object-level checks: each program's type and attach type, each map's type, against the target.</summary>
    public void CheckObject(INamedTypeSymbol objectClass, Action<Diagnostic> report)
    {
        if (Target is not { } target) return;
        foreach (var member in objectClass.GetMembers())
        {
            if (member is IMethodSymbol method && ProgramAttributeKinds.OfMethod(method) is { } program)
            {
                var where = program.Attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
                var first = ProgramTypes.FirstKernel(program.Type);
                if (first > target)
                    report(Diagnostic.Create(DiagnosticDescriptors.KernelTypeNewerThanTarget, where, $"The program type {UapiName(program.Type)} of '{method.Name}'", first, target));
                else if (program.Attach is { } attach && AttachTypes.FirstKernel(attach) is var attachFirst && attachFirst > target)
                    report(Diagnostic.Create(DiagnosticDescriptors.KernelTypeNewerThanTarget, where, $"The attach type {UapiName(attach)} of '{method.Name}'", attachFirst, target));
            }
            else if (member is IFieldSymbol { IsStatic: true } field && MapTypeOf(field.Type) is { } mapType
                     && MapTypes.FirstKernel(mapType) is var mapFirst && mapFirst > target)
            {
                var where = field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().GetLocation() ?? field.Locations.FirstOrDefault() ?? Location.None;
                report(Diagnostic.Create(DiagnosticDescriptors.KernelTypeNewerThanTarget, where, $"The map '{field.Name}' of type {UapiName(mapType)}", mapFirst, target));
            }
        }
    }

    /// <summary>The call-site checks over one method body, for the program types that reach the method.</summary>
    public void CheckMethod(IMethodSymbol method, IOperation? body, INamedTypeSymbol objectClass, IReadOnlyCollection<ProgramType> programTypes, Action<Diagnostic> report)
    {
        if (body is null) return;
        string license = LicenseOf(objectClass);
        bool gplCompatible = KernelLicense.IsGplCompatible(license);
        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IInvocationOperation call:
                    if (HelperIdOf(call.TargetMethod) is int id && HelperTable.Find(id) is { } helper)
                        CheckHelperCall(call, helper, gplCompatible, license, programTypes, report);
                    else if (Target is { } target && AtomicFeature(call) is { } feature && IsaFeatures.FirstKernel(feature) > target)
                        report(Diagnostic.Create(DiagnosticDescriptors.IsaFeatureNewerThanTarget, call.Syntax.GetLocation(),
                            Display(call.TargetMethod), IsaFeatures.Describe(feature), IsaFeatures.FirstKernel(feature), target));
                    break;
                case ILoopOperation loop when Target is { } target && IsaFeatures.FirstKernel(IsaFeature.BoundedLoops) > target:
                    report(Diagnostic.Create(DiagnosticDescriptors.IsaFeatureNewerThanTarget, LoopKeyword(loop),
                        "loop", IsaFeatures.Describe(IsaFeature.BoundedLoops), IsaFeatures.FirstKernel(IsaFeature.BoundedLoops), target));
                    break;
            }
        }
    }

    void CheckHelperCall(IInvocationOperation call, HelperInfo helper, bool gplCompatible, string license, IReadOnlyCollection<ProgramType> programTypes, Action<Diagnostic> report)
    {
        var where = call.Syntax.GetLocation();
        string name = Display(call.TargetMethod);
        if (helper.GplOnly == true && !gplCompatible)
            report(Diagnostic.Create(DiagnosticDescriptors.GplOnlyHelper, where, name, helper.Name, license));

        foreach (var type in programTypes.OrderBy(t => t))
            if (HelperTable.IsProbed(type) && helper.AvailableSince(type) is null)
                report(Diagnostic.Create(DiagnosticDescriptors.HelperNotForProgramType, where, name, helper.Name, UapiName(type), helper.Id));

        if (Target is not { } target) return;
        if (helper.FirstKernel > target)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.HelperNewerThanTarget, where, name, helper.Name, $"first appeared in Linux {helper.FirstKernel}", target));
            return;
        }
        // The probes say when a program type gained a helper that is older than the probed kernels.
        var oldestProbed = HelperTable.ProbedKernels[0];
        foreach (var type in programTypes.OrderBy(t => t))
            if (HelperTable.IsProbed(type) && helper.AvailableSince(type) is { } since && since > target && since > oldestProbed)
            {
                report(Diagnostic.Create(DiagnosticDescriptors.HelperNewerThanTarget, where, name, helper.Name,
                    $"the kernel offers to {UapiName(type)} programs only since Linux {since} (the verifiers of older probed kernels answer \"unknown func\")", target));
                return;
            }
    }

    static int? HelperIdOf(IMethodSymbol method) => KernelApi.HelperId(method) ?? KernelApi.MapHelperId(method);

    /// <summary>The ISA feature an Interlocked call compiles to, beyond the BPF_XADD every kernel has.</summary>
    static IsaFeature? AtomicFeature(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (method.ContainingType?.ToDisplayString() != "System.Threading.Interlocked") return null;
        bool resultUsed = call.Parent is not IExpressionStatementOperation;
        return method.Name switch
        {
            "Exchange" or "CompareExchange" or "And" or "Or" => IsaFeature.AtomicFetch,
            "Add" or "Increment" or "Decrement" when resultUsed => IsaFeature.AtomicFetch,
            _ => null,
        };
    }

    string LicenseOf(INamedTypeSymbol objectClass)
    {
        foreach (var a in objectClass.GetAttributes())
            if (SymbolEqualityComparer.Default.Equals(a.AttributeClass, _symbols.BpfObjectAttribute))
                foreach (var named in a.NamedArguments)
                    if (named.Key == "License" && named.Value.Value is string license) return license;
        return DefaultLicense;
    }

    static MapType? MapTypeOf(ITypeSymbol type) => KernelApi.MapClass(type) is { } map ? (MapType)map.Type : null;

    static Location LoopKeyword(ILoopOperation loop) => loop.Syntax switch
    {
        ForStatementSyntax f => f.ForKeyword.GetLocation(),
        WhileStatementSyntax w => w.WhileKeyword.GetLocation(),
        DoStatementSyntax d => d.DoKeyword.GetLocation(),
        ForEachStatementSyntax e => e.ForEachKeyword.GetLocation(),
        _ => loop.Syntax.GetLocation(),
    };

    static string Display(IMethodSymbol method) => method.ContainingType is { } type ? $"{type.Name}.{method.Name}" : method.Name;

    /// <summary>The UAPI spelling of an enum member: <c>SocketFilter</c> -> <c>socket_filter</c>.</summary>
    internal static string UapiName<T>(T value) where T : struct, Enum
    {
        var text = value.ToString();
        var sb = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (i > 0 && char.IsUpper(text[i]) && !char.IsUpper(text[i - 1])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(text[i]));
        }
        return sb.ToString();
    }
}
