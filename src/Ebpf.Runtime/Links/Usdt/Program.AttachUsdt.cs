using System.Globalization;

namespace Ebpf.Runtime;

public sealed partial class Program
{
    /// <summary>The USDT maps of this program's object (usdt.bpf.h); null when it has none or was loaded alone.</summary>
    internal UsdtSpecTable? Usdt { get; set; }

    /// <summary>Attaches a program written with usdt.bpf.h (<c>BPF_USDT</c>, <c>bpf_usdt_arg</c>) to every site of USDT
    /// probe <paramref name="provider"/>:<paramref name="name"/> in <paramref name="binaryPath"/>, as libbpf's
    /// <c>bpf_program__attach_usdt</c> does; <paramref name="pid"/> -1 traces every process. <paramref name="cookie"/> is
    /// what the program reads with <c>bpf_usdt_cookie</c>. A probe with a semaphore gets it incremented while attached.</summary>
    public UsdtLink AttachUsdt(string binaryPath, string provider, string name, int pid = -1, ulong cookie = 0)
    {
        string target = $"USDT {provider}:{name} in {binaryPath}" + (pid == -1 ? "" : $" (pid {pid})");
        var table = Usdt ?? throw new InvalidOperationException(
            $"attach program '{Name}' to {target}: its object has no '{UsdtSpecTable.SpecsMapName}' map; write USDT programs with <bpf/usdt.bpf.h> (BPF_USDT, bpf_usdt_arg) and load them with Collection.Load");
        var all = UsdtNotes.Read(binaryPath);
        var sites = all.Where(p => p.Provider == provider && p.Name == name).ToList();
        if (sites.Count == 0)
            throw new ArgumentException($"attach program '{Name}' to {target}: the file has no such probe; it has "
                + (all.Count == 0 ? "no USDT notes (.note.stapsdt)" : string.Join(", ", all.Select(p => $"{p.Provider}:{p.Name}").Distinct())), nameof(name));

        // Addresses for the ip -> spec id map, which programs read on kernels without BPF cookies: a fixed-address
        // executable's link-time addresses, or a position-independent file's as mapped in process pid.
        bool pie = UsdtNotes.IsPositionIndependent(binaryPath);
        var links = new List<PerfEventLink>();
        var specIds = new List<int>();
        var addresses = new List<ulong>();
        var idsBySpec = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var site in sites)
            {
                if (!idsBySpec.TryGetValue(site.Arguments, out int id))
                {
                    byte[] encoded;
                    try { encoded = table.Layout.Encode(UsdtArguments.Parse(site.Arguments), cookie); }
                    catch (FormatException e) { throw new NotSupportedException($"attach program '{Name}' to {target} at 0x{site.Address:x}: {e.Message}", e); }
                    catch (NotSupportedException e) { throw new NotSupportedException($"attach program '{Name}' to {target} at 0x{site.Address:x}, arguments '{site.Arguments}': {e.Message}", e); }
                    id = table.Add(encoded, target);
                    specIds.Add(id);
                    idsBySpec.Add(site.Arguments, id);
                }
                if (table.HasAddressMap && (pie ? pid == -1 ? null : MappedAddress(binaryPath, site.FileOffset, pid) : site.Address) is { } address)
                {
                    table.MapAddress(address, id);
                    addresses.Add(address);
                }
                links.Add(AttachUprobe(binaryPath, site.FileOffset, isReturn: false, pid, $"{provider}:{name}@0x{site.Address:x}",
                    referenceCounterOffset: site.SemaphoreFileOffset, cookie: (ulong)id));
            }
        }
        catch
        {
            new UsdtLink(table, links, sites, specIds, addresses, Name, target).Dispose();
            throw;
        }
        return new UsdtLink(table, links, sites, specIds, addresses, Name, target);
    }

    /// <summary>Where file offset <paramref name="fileOffset"/> of <paramref name="path"/> is mapped in process <paramref name="pid"/>
    /// (<c>/proc/PID/maps</c>); null when it is not mapped there.</summary>
    static ulong? MappedAddress(string path, ulong fileOffset, int pid)
    {
        string full = Path.GetFullPath(path);
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            // start-end perms offset dev inode path
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5].Trim() != full) continue;
            var range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong offset = ulong.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (fileOffset >= offset && fileOffset < offset + (end - start)) return start + (fileOffset - offset);
        }
        return null;
    }
}
