using System.Collections.Concurrent;
using Ebpf.Btf;
using Ebpf.Object;
using Ebpf.Runtime;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.Cli.Inspection;

using MapType = Ebpf.Object.MapType;

/// <summary>What <c>ebpf run</c> shows of a loaded object: every map with keys as a table decoded through BTF (a value
/// that is an array of counters, or an array map named like a histogram, as log2 bars), global variables, and the
/// latest ring-buffer records decoded through the BTF struct of their size.</summary>
sealed class LiveView(ObjectSpec spec, Collection collection) : IDisposable
{
    const int MaxRows = 20;
    const int MaxEvents = 10;

    readonly List<(string Name, RingBufferReader Reader, ConcurrentQueue<string> Events)> _rings = collection.Maps
        .Where(m => m.Value.Type == MapType.RingBuf)
        .Select(m => (m.Key, new RingBufferReader(m.Value), new ConcurrentQueue<string>()))
        .ToList();

    /// <summary>Reads what the ring buffers hold now (no waiting).</summary>
    public void DrainRingBuffers()
    {
        foreach (var (name, reader, events) in _rings)
        {
            reader.Drain(record =>
            {
                events.Enqueue(BtfValueFormatter.Format(EventType(record.Length), record));
                while (events.Count > MaxEvents) events.TryDequeue(out _);
            });
        }
    }

    public IRenderable Render(TimeSpan elapsed)
    {
        var parts = new List<IRenderable> { new Text($"ebpf run: {elapsed.TotalSeconds:0.0} s") };
        foreach (var (name, map) in collection.Maps.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var mapSpec = spec.Maps.FirstOrDefault(m => m.Name == name);
            if (IsGlobalSection(name)) { if (Globals(name, map) is { } globals) parts.Add(globals); continue; }
            if (!IsIterable(map.Type)) continue;
            parts.Add(MapRenderable(name, map, mapSpec));
        }
        foreach (var (name, _, events) in _rings)
        {
            var table = new Table().Title($"{name} (ring buffer, last {MaxEvents})").AddColumn("event");
            foreach (var e in events) table.AddRow(Markup.Escape(e));
            if (events.IsEmpty) table.AddRow("(no events yet)");
            parts.Add(table);
        }
        return new Rows(parts);
    }

    IRenderable MapRenderable(string name, Map map, MapSpec? mapSpec)
    {
        var keyType = mapSpec?.KeyType;
        var valueType = mapSpec?.ValueType;
        var entries = new List<(byte[] Key, byte[] Value)>();
        foreach (var key in map.Keys.Take(4096))
            if (map.Lookup(key) is { } value) entries.Add((key, value));

        if (Histogram.Slots(valueType) is { } slotType)
        {
            var rows = new List<IRenderable>();
            foreach (var (key, value) in entries.Take(4))
                rows.Add(Histogram.Bars($"{name}[{BtfValueFormatter.Format(keyType, key)}]", slotType, Sum(map, value)));
            return rows.Count == 0 ? new Text($"{name}: (empty)") : new Rows(rows);
        }
        if (map.Type is MapType.Array or MapType.PerCpuArray && name.Contains("hist", StringComparison.OrdinalIgnoreCase)
            && valueType is not null && BtfLayout.SkipQualifiers(valueType) is BtfInt counter)
            return Histogram.Bars(name, counter, entries.SelectMany(e => Sum(map, e.Value)).ToArray());

        var table = new Table().Title($"{name} ({MapKinds.KernelName(map.Type)})").Caption($"{entries.Count} entries").AddColumns("key", "value");
        var shown = IntegerValue(valueType) ? entries.OrderByDescending(e => ToUInt64(Sum(map, e.Value))).Take(MaxRows) : entries.Take(MaxRows);
        foreach (var (key, value) in shown)
            table.AddRow(Markup.Escape(BtfValueFormatter.Format(keyType, key)), Markup.Escape(BtfValueFormatter.Format(valueType, Sum(map, value))));
        if (entries.Count == 0) table.AddRow("(empty)", "");
        return table;
    }

    /// <summary>A per-CPU value summed over CPUs when it is an integer (otherwise CPU 0's); other values as they are.</summary>
    static byte[] Sum(Map map, byte[] value)
    {
        if (!map.IsPerCpu) return value;
        int slot = (int)((map.ValueSize + 7) / 8 * 8);
        var first = value.AsSpan(0, (int)map.ValueSize).ToArray();
        if (map.ValueSize is not (4 or 8)) return first;
        ulong total = 0;
        for (int offset = 0; offset + map.ValueSize <= value.Length; offset += slot)
            total += map.ValueSize == 8 ? BitConverter.ToUInt64(value, offset) : BitConverter.ToUInt32(value, offset);
        return map.ValueSize == 8 ? BitConverter.GetBytes(total) : BitConverter.GetBytes((uint)total);
    }

    IRenderable? Globals(string name, Map map)
    {
        var section = spec.DataSections.FirstOrDefault(d => d.Name == name)?.BtfDatasec;
        if (section is null || section.Variables.Count == 0 || map.ValueSize == 0) return null;
        var bytes = map.Lookup(new byte[4]);
        if (bytes is null) return null;
        var table = new Table().Title($"{name} (globals)").AddColumns("variable", "value");
        foreach (var v in section.Variables)
            if (v.Offset + v.Size <= bytes.Length)
                table.AddRow(Markup.Escape(v.Var.Name ?? "?"), Markup.Escape(BtfValueFormatter.Format(v.Var.Type, bytes.AsSpan((int)v.Offset, (int)v.Size))));
        return table;
    }

    /// <summary>The BTF struct a ring-buffer record of <paramref name="size"/> bytes most likely is: one of that size,
    /// preferring a name with "event" in it.</summary>
    BtfType? EventType(int size)
    {
        if (spec.Btf is null) return null;
        var candidates = spec.Btf.Types.OfType<BtfStruct>().Where(s => s.Size == size && !s.IsUnion && s.Name is { Length: > 0 }).ToList();
        return candidates.FirstOrDefault(s => s.Name!.Contains("event", StringComparison.OrdinalIgnoreCase)) ?? candidates.FirstOrDefault();
    }

    static bool IsGlobalSection(string name) => name.StartsWith(".rodata", StringComparison.Ordinal)
        || name.StartsWith(".data", StringComparison.Ordinal) || name.StartsWith(".bss", StringComparison.Ordinal);

    static bool IsIterable(MapType type) => type switch
    {
        MapType.Hash or MapType.Array or MapType.PerCpuHash or MapType.PerCpuArray or MapType.LruHash or MapType.LruPerCpuHash
            or MapType.LpmTrie => true,
        MapType.Unspecified or MapType.ProgArray or MapType.PerfEventArray or MapType.StackTrace or MapType.CgroupArray
            or MapType.ArrayOfMaps or MapType.HashOfMaps or MapType.DevMap or MapType.SockMap or MapType.CpuMap or MapType.XskMap
            or MapType.SockHash or MapType.CgroupStorage or MapType.ReuseportSockArray or MapType.PerCpuCgroupStorage
            or MapType.Queue or MapType.Stack or MapType.SkStorage or MapType.DevMapHash or MapType.StructOps or MapType.RingBuf
            or MapType.InodeStorage or MapType.TaskStorage or MapType.BloomFilter or MapType.UserRingBuf or MapType.CgrpStorage
            or MapType.Arena => false,
        _ => false,
    };

    static bool IntegerValue(BtfType? type) => type is not null && BtfLayout.SkipQualifiers(type) is BtfInt { Size: 4 or 8 };

    static ulong ToUInt64(byte[] value) => value.Length switch
    {
        >= 8 => BitConverter.ToUInt64(value),
        >= 4 => BitConverter.ToUInt32(value),
        _ => 0,
    };

    public void Dispose()
    {
        foreach (var (_, reader, _) in _rings) reader.Dispose();
    }
}

/// <summary>log2 histograms (slot i counts values in [2^i, 2^(i+1)), as libbpf-tools' <c>print_log2_hist</c>) as bars.</summary>
static class Histogram
{
    /// <summary>The counter type when <paramref name="valueType"/> is an array of integers (or a struct holding only one).</summary>
    public static BtfInt? Slots(BtfType? valueType)
    {
        if (valueType is null) return null;
        var type = BtfLayout.SkipQualifiers(valueType);
        if (type is BtfStruct { Members.Count: 1 } s) type = BtfLayout.SkipQualifiers(s.Members[0].Type);
        return type is BtfArray { Count: > 1 } a && BtfLayout.SkipQualifiers(a.Element) is BtfInt { Size: 4 or 8 } element ? element : null;
    }

    public static IRenderable Bars(string title, BtfInt counter, byte[] slots)
    {
        int size = counter.Size;
        var counts = new List<ulong>();
        for (int offset = 0; offset + size <= slots.Length; offset += size)
            counts.Add(size == 8 ? BitConverter.ToUInt64(slots, offset) : BitConverter.ToUInt32(slots, offset));
        int last = counts.FindLastIndex(c => c != 0);
        var chart = new BarChart().Label(Markup.Escape(title)).Width(80);
        for (int i = 0; i <= last; i++)
        {
            ulong low = i == 0 ? 0 : 1UL << i, high = (1UL << (i + 1)) - 1;
            chart.AddItem($"{low} -> {high}", counts[i], Color.Green);
        }
        if (last < 0) chart.AddItem("(empty)", 0);
        return chart;
    }
}
