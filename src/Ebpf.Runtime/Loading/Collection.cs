using System.Runtime.InteropServices;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>An object loaded into the kernel: its maps (BTF-defined maps by name, data-section maps by section name)
/// and its entry programs by name. Disposing it closes every fd it owns (programs stay attached only through links).</summary>
/// <remarks>Made by <see cref="Load"/>, all-or-nothing: if any step fails, everything opened so far is closed before
/// the exception propagates.</remarks>
public sealed class Collection : IDisposable
{
    readonly Dictionary<string, Map> _maps;
    readonly Dictionary<string, Program> _programs;
    readonly Dictionary<string, MappedArray> _mapped = new();
    readonly ObjectSpec _spec;
    bool _disposed;

    Collection(ObjectSpec spec, LoadedBtf? btf, Dictionary<string, Map> maps, Dictionary<string, Program> programs, List<string> warnings)
    {
        _spec = spec;
        Btf = btf;
        _maps = maps;
        _programs = programs;
        Warnings = warnings;
    }

    /// <summary>Maps by name: the object's maps, then one per data section under the section's name (<c>.rodata</c>).</summary>
    public IReadOnlyDictionary<string, Map> Maps => _maps;
    /// <summary>Entry programs by name (sub-programs are inside them).</summary>
    public IReadOnlyDictionary<string, Program> Programs => _programs;
    /// <summary>The object's BTF as loaded in the kernel; null when the object had none, it was disabled, or the kernel refused it.</summary>
    public LoadedBtf? Btf { get; }
    /// <summary>What the loader worked around (BTF refused by the kernel, map created without BTF types...).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Loads <paramref name="spec"/>: its BTF (BPF_BTF_LOAD), maps (BPF_MAP_CREATE, pinning), data-section maps
    /// (written, <c>.rodata</c> frozen), then each entry program linked with its sub-programs, relocated and loaded
    /// (BPF_PROG_LOAD). A verifier rejection throws <see cref="VerifierException"/>.</summary>
    public static Collection Load(ObjectSpec spec, CollectionOptions? options = null)
    {
        options ??= new CollectionOptions();
        var warnings = new List<string>();
        var owned = new List<IDisposable>();
        try
        {
            var btf = LoadBtf(spec, options, warnings);
            if (btf is not null) owned.Add(btf);

            var maps = new Dictionary<string, Map>(StringComparer.Ordinal);
            foreach (var mapSpec in spec.Maps)
            {
                if (maps.ContainsKey(mapSpec.Name)) throw new LoadException($"the object defines map '{mapSpec.Name}' twice");
                Map map;
                if (mapSpec.InnerMap is { } innerSpec)
                {
                    // The template only shapes the outer map; the kernel keeps no reference to it (libbpf closes it too).
                    using var template = Map.Create(innerSpec, options.Maps, btf, warnings);
                    map = Map.Create(mapSpec, options.Maps, btf, warnings, template);
                }
                else map = Map.Create(mapSpec, options.Maps, btf, warnings);
                owned.Add(map);
                maps.Add(mapSpec.Name, map);
            }
            string objectName = options.ObjectName ?? "bpf";
            foreach (var section in spec.DataSections)
            {
                if (maps.ContainsKey(section.Name)) throw new LoadException($"data section '{section.Name}' clashes with a map of the same name");
                var map = DataSectionMaps.Create(section, objectName, btf, warnings);
                owned.Add(map);
                maps.Add(section.Name, map);
            }

            var programs = new Dictionary<string, Program>(StringComparer.Ordinal);
            foreach (var programSpec in spec.Programs.Where(p => !p.IsSubprogram && (options.ShouldLoad?.Invoke(p) ?? AutoLoads(p))))
            {
                if (programs.ContainsKey(programSpec.Name)) throw new LoadException($"the object defines program '{programSpec.Name}' twice");
                if (programSpec.Type == ProgramType.Unspecified)
                    throw new LoadException($"program '{programSpec.Name}' has no program type: section '{programSpec.SectionName}' is not a program section libbpf knows (tracepoint/..., xdp, tc, kprobe/..., ...)");
                var linked = ProgramLinker.Link(programSpec, spec.Programs);
                DataReferences.Resolve(linked, maps, spec.DataSections, spec.Btf);
                CoreRelocation.Apply(linked, spec.Btf, options.Core, warnings);
                var (handle, log) = CoreRelocation.ExplainPoisoned(linked,
                    () => ProgramLoader.Load(ProgramLoader.For(programSpec, linked, spec.License, spec.KernelVersion, btf, options.Programs, warnings)));
                var program = new Program(programSpec, linked, handle, log);
                owned.Add(program);
                programs.Add(programSpec.Name, program);
            }
            if (UsdtSpecTable.For(maps, spec) is { } usdt)
                foreach (var program in programs.Values) program.Usdt = usdt;
            return new Collection(spec, btf, maps, programs, warnings);
        }
        catch
        {
            for (int i = owned.Count - 1; i >= 0; i--)
            {
                if (owned[i] is Map { PinnedByCreate: true } pinned) pinned.Unpin();   // pins made by this load go too
                owned[i].Dispose();
            }
            throw;
        }
    }

    /// <summary>Reads a <c>.bpf.o</c> (ElfObjectReader) and loads it. Unless <see cref="CollectionOptions.ObjectName"/> is
    /// set, the object is named like libbpf names it: the file name up to its first dot.</summary>
    public static Collection LoadFile(string path, CollectionOptions? options = null)
    {
        var spec = ElfObjectReader.ReadFile(path);
        options ??= new CollectionOptions();
        if (options.ObjectName is null)
        {
            var name = Path.GetFileName(path);
            int dot = name.IndexOf('.');
            options = new CollectionOptions
            {
                ObjectName = dot > 0 ? name[..dot] : name,
                Maps = options.Maps,
                Programs = options.Programs,
                DisableBtf = options.DisableBtf,
                ShouldLoad = options.ShouldLoad,
                Core = options.Core,
            };
        }
        return Load(spec, options);
    }

    /// <summary>libbpf loads every program except those whose section starts with '?' (SEC("?xdp")).</summary>
    static bool AutoLoads(ProgramSpec program)
        => !(ProgramSections.TryClassify(program.SectionName, out var section) && (section.Flags & ProgramSectionFlags.NoAutoLoad) != 0);

    static LoadedBtf? LoadBtf(ObjectSpec spec, CollectionOptions options, List<string> warnings)
    {
        if (spec.Btf is null || options.DisableBtf) return null;
        // line_info points at file names and source lines in the BTF string section. A producer that attached
        // line infos after building its BTF may have left some out: add them (same types, same ids).
        // CO-RE records likewise name their access strings ("0:1:2").
        var btfSpec = spec.Btf.WithStrings(spec.Programs.SelectMany(p => p.LineInfos).SelectMany(l => new[] { l.FileName, l.LineText })
            .Concat(spec.Programs.SelectMany(p => p.CoreRelocations).Select(c => c.AccessString)));
        btfSpec = BtfExternFixup.Apply(btfSpec);
        try
        {
            return LoadedBtf.Load(btfSpec);
        }
        catch (BtfLoadException e)
        {
            // libbpf does the same: without kernel BTF support for this object's types, load without BTF.
            warnings.Add($"{e.Message}; loading without BTF (maps without BTF types, programs without func_info/line_info)");
            return null;
        }
    }

    /// <summary>The map <paramref name="name"/>; the error lists the maps there are.</summary>
    public Map GetMap(string name)
        => _maps.TryGetValue(name, out var map) ? map
           : throw new KeyNotFoundException($"the collection has no map '{name}'; it has {Describe(_maps.Keys)}");

    /// <summary>A typed view of map <paramref name="name"/> (sizes checked against the map).</summary>
    public Map<TKey, TValue> GetMap<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged
        => GetMap(name).As<TKey, TValue>();

    /// <summary>A typed view of per-CPU map <paramref name="name"/>.</summary>
    public PerCpuMap<TKey, TValue> GetPerCpuMap<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged
        => GetMap(name).AsPerCpu<TKey, TValue>();

    /// <summary>Attaches every program whose section names its target (libbpf's skeleton auto-attach: tracepoint/..., raw_tp/...,
    /// tp_btf/..., uprobe/BINARY:FUNC, kprobe/..., fentry/..., lsm/..., iter/...). Programs that need a target only known at
    /// run time (XDP, tc, cgroup, socket filters, a bare SEC("uprobe")) are left out and listed in
    /// <see cref="CollectionLinks.NotAttached"/>. If a kernel attach fails, the links made so far are detached.</summary>
    public CollectionLinks AttachAll()
    {
        var links = new List<ILink>();
        var notAttached = new List<string>();
        try
        {
            foreach (var program in _programs.Values)
            {
                if (!program.HasAutoAttachTarget)
                {
                    notAttached.Add(program.Name);
                    continue;
                }
                links.Add(program.Attach());
            }
        }
        catch
        {
            foreach (var link in links) link.Dispose();
            throw;
        }
        return new CollectionLinks(links, notAttached);
    }

    /// <summary>The entry program <paramref name="name"/>; the error lists the programs there are.</summary>
    public Program GetProgram(string name)
        => _programs.TryGetValue(name, out var program) ? program
           : throw new KeyNotFoundException($"the collection has no program '{name}'; it has {Describe(_programs.Keys)}");

    /// <summary>Reads global variable <paramref name="name"/> from its data-section map (what programs see now): from the
    /// map's memory where it is mapped (BPF_F_MMAPABLE, as this runtime creates data sections), else by a lookup.</summary>
    public T ReadVariable<T>(string name) where T : unmanaged
    {
        var (variable, map) = FindVariable<T>(name);
        if (MappedSection(map) is { } memory) return memory.Read<T>((int)variable.Offset);
        var value = new byte[map.ValueBufferSize];
        if (!map.TryLookup(stackalloc byte[4], value))
            throw new InvalidOperationException($"data-section map '{map.Name}' has no element 0");
        return MemoryMarshal.Read<T>(value.AsSpan((int)variable.Offset, (int)variable.Size));
    }

    /// <summary>Writes global variable <paramref name="name"/> in its data-section map. Where the map's memory is mapped
    /// (BPF_F_MMAPABLE, as this runtime creates data sections) only the variable's bytes are written; a section without
    /// it (a map reused from a pin made elsewhere) is rewritten whole, so a program's concurrent write to another variable
    /// of the section can be lost. Not for frozen <c>.rodata</c>.</summary>
    public void WriteVariable<T>(string name, T value) where T : unmanaged
    {
        var (variable, map) = FindVariable<T>(name);
        if (map.IsFrozen)
            throw new InvalidOperationException($"global variable '{name}' is in {variable.Section.Name}, frozen at load: set it on the ObjectSpec before loading (spec.SetVariable)");
        if (MappedSection(map) is { } memory)
        {
            memory.Write((int)variable.Offset, value);
            return;
        }
        var contents = new byte[map.ValueBufferSize];
        Span<byte> key = stackalloc byte[4];
        if (!map.TryLookup(key, contents))
            throw new InvalidOperationException($"data-section map '{map.Name}' has no element 0");
        MemoryMarshal.Write(contents.AsSpan((int)variable.Offset, (int)variable.Size), in value);
        map.Update(key, contents);
    }

    /// <summary>The memory of data-section map <paramref name="map"/>, mapped on first use; null when the map is not mmapable.</summary>
    MappedArray? MappedSection(Map map)
    {
        if ((map.Flags & DataSectionMaps.MmapableFlag) == 0) return null;
        lock (_mapped)
        {
            if (!_mapped.TryGetValue(map.Name, out var memory)) _mapped[map.Name] = memory = MappedArray.Of(map);
            return memory;
        }
    }

    (GlobalVariable Variable, Map Map) FindVariable<T>(string name) where T : unmanaged
    {
        var variable = _spec.FindVariable(name);
        ObjectSpecVariables.CheckSize<T>(variable);
        return (variable, GetMap(variable.Section.Name));
    }

    static string Describe(IEnumerable<string> names)
    {
        var list = names.Select(n => $"'{n}'").ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var program in _programs.Values) program.Dispose();
        lock (_mapped)
            foreach (var memory in _mapped.Values) memory.Dispose();
        foreach (var map in _maps.Values) map.Dispose();
        Btf?.Dispose();
    }
}

/// <summary>The links <see cref="Collection.AttachAll"/> made; disposing detaches them all.</summary>
public sealed class CollectionLinks(IReadOnlyList<ILink> links, IReadOnlyList<string> notAttached) : IDisposable
{
    public IReadOnlyList<ILink> Links { get; } = links;
    /// <summary>Programs whose section names no target (attach them with the Attach* methods).</summary>
    public IReadOnlyList<string> NotAttached { get; } = notAttached;

    public void Dispose()
    {
        foreach (var link in Links) link.Dispose();
    }
}
