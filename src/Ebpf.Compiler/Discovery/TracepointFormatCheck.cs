using Ebpf.Bindings;
using Ebpf.Rules.Model;
using Ebpf.Compiler.Types;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Discovery;

/// <summary>Checks the record struct of each <c>[Tracepoint("cat", "name")]</c> program against the running kernel's
/// <c>events/cat/name/format</c> where tracefs is readable at build time: a field named like a record field must have
/// its offset and size (EBPF3103), and the struct must not be longer than the record (EBPF3104), which would read
/// past its end. Without a readable format (another machine, no tracefs) nothing is checked.</summary>
internal static class TracepointFormatCheck
{
    public static void Check(BpfObjectModel model, TypeLayouts layouts, string tracefs, ICollection<Diagnostic> diagnostics)
    {
        foreach (var program in model.Programs)
        {
            if (program is not { Kind: ProgramKind.Tracepoint, Context: ContextKind.TracepointRecord, AttachTarget: { } target }) continue;
            var parts = target.Split('/');
            if (parts.Length != 2 || program.Method.Parameters.FirstOrDefault()?.Type is not INamedTypeSymbol record) continue;
            TracepointFormat format;
            try { format = TracepointFormat.Load(parts[0], parts[1], tracefs); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { continue; }
            if (layouts.GetLayout(record) is not { } layout) continue;
            var byName = format.Fields.ToDictionary(f => f.IsDataLocation ? "__data_loc_" + f.Name : f.Name, StringComparer.Ordinal);
            foreach (var field in layout.Fields)
            {
                if (!byName.TryGetValue(field.Field.Name, out var expected) && !byName.TryGetValue("__data_loc_" + field.Field.Name, out expected)) continue;
                if (field.Offset == expected.Offset && field.Size == expected.Size) continue;
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TracepointFieldMismatch, field.Field.Locations.FirstOrDefault() ?? Location.None,
                    field.Field.Name, record.Name, field.Offset, field.Size, target, expected.Offset, expected.Size, FormatPath(tracefs, target)));
            }
            // The fields' extent, not the struct's size: alignment padding after the last field is never read.
            int end = layout.Fields.Count == 0 ? 0 : layout.Fields.Max(f => f.Offset + f.Size);
            if (end > format.Size)
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TracepointRecordTooLong, record.Locations.FirstOrDefault() ?? Location.None,
                    record.Name, end, target, format.Size, FormatPath(tracefs, target)));
        }
    }

    static string FormatPath(string tracefs, string target) => Path.Combine(tracefs, "events", target, "format");
}
