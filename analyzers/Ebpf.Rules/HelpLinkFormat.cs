using System;
using System.IO;

namespace Ebpf.Rules;

/// <summary>How a diagnostic ID becomes the address of its explanation: <c>BASE#ebpfnnnn</c>, where each entry of
/// docs/diagnostics.md has the anchor <c>ebpfnnnn</c>. Plain .NET, so the MSBuild task (which never loads Roslyn)
/// shares it as source with the analyzers.</summary>
public static class HelpLinkFormat
{
    /// <summary>The entry in the source tree: right for a reader of the repository, but relative, so no IDE opens it.</summary>
    public const string RepositoryBase = "docs/diagnostics.md";

    /// <summary>The MSBuild property naming where a project's diagnostics are explained: a URL, or the path of the
    /// rendered docs/diagnostics.html that Ebpf.Sdk ships (its default).</summary>
    public const string Property = "EbpfDiagnosticsHelp";

    /// <summary>The link of <paramref name="id"/> in the document at <paramref name="documentUri"/>.</summary>
    public static string Link(string documentUri, string id) => documentUri + "#" + id.ToLowerInvariant();

    /// <summary>The absolute URI of a document given as a URL or as a rooted file path (a file path becomes a
    /// <c>file:///</c> URI an IDE opens in a browser); null for anything else, such as a relative path.</summary>
    public static string? AbsoluteDocumentUri(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) return null;
        var text = location!.Trim();
        if (Path.IsPathRooted(text) && !text.StartsWith("//", StringComparison.Ordinal))
            return new Uri(Path.GetFullPath(text)).AbsoluteUri;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"
            ? uri.AbsoluteUri.Split('#')[0]
            : null;
    }
}
