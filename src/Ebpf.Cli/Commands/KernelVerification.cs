using Ebpf.Object;
using Ebpf.Rules;
using Ebpf.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Cli.Commands;

/// <summary><c>ebpf build --verify</c>: loads each program of a built object, one at a time, into the running
/// kernel's verifier and turns a rejection into a diagnostic at the C# line of the instruction it stopped at,
/// classified by the verifier message catalog (EBPF22xx: the kernel's reason, then what it means and how to fix it).</summary>
static class KernelVerification
{
    /// <summary>The verdicts for every entry program of <paramref name="spec"/>: a diagnostic per rejected program.
    /// A program the kernel could not check at all (a load failure that is not a verifier verdict, e.g. EPERM without
    /// privileges) is a warning, or with <paramref name="whereUsable"/> an informational message.</summary>
    public static IEnumerable<Diagnostic> Verify(ObjectSpec spec, bool whereUsable = false)
    {
        foreach (var program in spec.Programs.Where(p => !p.IsSubprogram))
        {
            Diagnostic? verdict = null;
            try
            {
                using var loaded = Collection.Load(spec, new CollectionOptions { ShouldLoad = p => p.Name == program.Name });
            }
            catch (VerifierException e)
            {
                verdict = DiagnosticDescriptors.KernelVerifierRejection(e.Reason, LocationOf(e.Location));
            }
            catch (BpfException e)
            {
                verdict = Diagnostic.Create(DiagnosticDescriptors.KernelVerifierUnavailable, Location.None,
                    whereUsable ? DiagnosticSeverity.Info : DiagnosticDescriptors.KernelVerifierUnavailable.DefaultSeverity,
                    additionalLocations: null, properties: null, program.Name, OneLine(e.Message));
            }
            if (verdict is not null) yield return verdict;
        }
    }

    static Location LocationOf(SourceLocation? source)
    {
        if (source is null) return Location.None;
        var start = new LinePosition(Math.Max(0, source.Line - 1), Math.Max(0, source.Column - 1));
        return Location.Create(source.FileName, new TextSpan(0, 0), new LinePositionSpan(start, start));
    }

    static string OneLine(string message) => message.Split('\n')[0].Trim();
}
