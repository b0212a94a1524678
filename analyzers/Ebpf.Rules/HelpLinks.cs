using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Rules;

/// <summary>Gives the IDE a help link it can open. The catalog's descriptors link to the repository's
/// docs/diagnostics.md (relative); in a project that names its documentation (<see cref="HelpLinkFormat.Property"/>,
/// set by Ebpf.Sdk to the docs/diagnostics.html it ships), each analyzer reports through <see cref="Reporting"/>,
/// which re-issues a diagnostic with the same ID, severity, location, properties and message under a link into that
/// document. Roslyn matches a reported diagnostic to the analyzer's supported ones by ID, so the copy is accepted.</summary>
public static class HelpLinks
{
    const string OptionKey = "build_property." + HelpLinkFormat.Property;

    static readonly ConcurrentDictionary<(string Id, string Document), DiagnosticDescriptor> Descriptors = new();

    /// <summary>The absolute URI of the project's diagnostics document, or null where the project names none.</summary>
    public static string? DocumentOf(AnalyzerOptions options)
        => options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(OptionKey, out var value)
            ? HelpLinkFormat.AbsoluteDocumentUri(value)
            : null;

    /// <summary><paramref name="report"/>, re-linking each diagnostic into the project's document when it names one.</summary>
    public static Action<Diagnostic> Reporting(AnalyzerOptions options, Action<Diagnostic> report)
    {
        var document = DocumentOf(options);
        return document is null ? report : d => report(Relinked(d, document));
    }

    /// <summary>The same diagnostic with its help link in <paramref name="document"/>.</summary>
    public static Diagnostic Relinked(Diagnostic diagnostic, string document)
    {
        var original = diagnostic.Descriptor;
        var descriptor = Descriptors.GetOrAdd((original.Id, document), key => new DiagnosticDescriptor(
            original.Id, original.Title, "{0}", original.Category, original.DefaultSeverity, original.IsEnabledByDefault,
            original.Description, HelpLinkFormat.Link(key.Document, key.Id), original.CustomTags.ToArray()));
        return Diagnostic.Create(descriptor, diagnostic.Location, diagnostic.Severity, diagnostic.AdditionalLocations, diagnostic.Properties,
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }
}
