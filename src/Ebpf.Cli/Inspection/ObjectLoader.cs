using Ebpf.Object;
using Ebpf.Runtime;

namespace Ebpf.Cli.Inspection;

/// <summary>Reads and loads an object for <c>ebpf load</c> and <c>ebpf run</c>, turning every failure into one message:
/// a malformed object names what is wrong in it; a verifier rejection gives the kernel's reason and the source line.</summary>
static class ObjectLoader
{
    public sealed record Loaded(ObjectSpec Spec, Collection Collection);

    public static Loaded? Load(string path, TextWriter error)
    {
        ObjectSpec spec;
        try { spec = ElfObjectReader.ReadFile(path); }
        catch (ObjectFormatException e) { error.WriteLine($"ebpf: error: {e.Message}"); return null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"ebpf: error: cannot read '{path}': {e.Message}");
            return null;
        }
        try
        {
            var name = Path.GetFileName(path);
            name = name.EndsWith(".bpf.o", StringComparison.Ordinal) ? name[..^6] : Path.GetFileNameWithoutExtension(name);
            return new Loaded(spec, Collection.Load(spec, new CollectionOptions { ObjectName = name }));
        }
        catch (VerifierException e)
        {
            error.WriteLine($"ebpf: error: {e.Message}");
            return null;
        }
        catch (Exception e) when (e is LoadException or BpfException or ObjectFormatException or InvalidOperationException or NotSupportedException)
        {
            error.WriteLine($"ebpf: error: {Path.GetFileName(path)}: {e.Message.ReplaceLineEndings(" ")}");
            return null;
        }
    }
}
