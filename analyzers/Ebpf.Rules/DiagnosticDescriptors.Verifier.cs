using System.Collections.Immutable;
using System.Linq;
using Ebpf.Verifier;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

// EBPF22xx: classes of kernel verifier messages (src/Ebpf.Abi/Verifier/VerifierMessageCatalog.cs is the table; these
// descriptors are made from it, so an ID, its title and its text exist once).
public static partial class DiagnosticDescriptors
{
    /// <summary>One descriptor per class of <see cref="VerifierMessageCatalog"/>: message "{0}: {1}" (the
    /// kernel's reason, then what it means and how to fix it).</summary>
    public static ImmutableArray<DiagnosticDescriptor> KernelVerifierMessages { get; } =
        VerifierMessageCatalog.All.Select(c => Create(c.Id, c.Title, "{0}: {1}")).ToImmutableArray();

    public static readonly DiagnosticDescriptor KernelVerifierUnavailable = Create("EBPF2298",
        "Program could not be checked by the kernel verifier",
        "'{0}' was not checked by the running kernel's verifier: {1}",
        DiagnosticSeverity.Warning);

    /// <summary>The diagnostic for a verifier rejection with <paramref name="reason"/> at <paramref name="location"/>.</summary>
    public static Diagnostic KernelVerifierRejection(string reason, Location location)
    {
        var c = VerifierMessageCatalog.Classify(reason);
        return Diagnostic.Create(KernelVerifierMessages.First(d => d.Id == c.Id), location, reason.Trim(), c.Meaning);
    }
}
