using Ebpf.Asm;
using Ebpf.Btf;
using static Ebpf.Object.Elf.ElfConstants;

namespace Ebpf.Object.Elf;

/// <summary>Turns one <see cref="ObjectSpec"/> into ELF bytes: plans the sections (clang's order),
/// declares the symbols, then encodes code with its relocations, data, BTF and the symbol table.</summary>
internal sealed class ElfObjectEmitter
{
    const string MapsSection = ".maps", LicenseSection = "license", VersionSection = "version";

    readonly ObjectSpec _spec;
    readonly ElfSectionLayout _layout = new();
    readonly ElfSymbolTableBuilder _symbols = new();
    readonly ElfStringTableBuilder _names = new();
    readonly Dictionary<string, ElfSymbol> _functionSymbols = new(StringComparer.Ordinal);
    readonly Dictionary<string, ElfSymbol> _codeSectionSymbols = new(StringComparer.Ordinal);
    readonly Dictionary<string, ElfSymbol> _mapSymbols = new(StringComparer.Ordinal);
    readonly Dictionary<string, ElfSymbol> _dataSectionSymbols = new(StringComparer.Ordinal);
    readonly Dictionary<string, ElfSymbol> _externSymbols = new(StringComparer.Ordinal);

    public ElfObjectEmitter(ObjectSpec spec) => _spec = spec;

    public byte[] Emit()
    {
        var strtab = _layout.Add(new ElfOutputSection(".strtab", SHT_STRTAB, 0, 1));
        var code = CodeSectionLayout.Arrange(_spec.Programs);
        CheckNames();

        var codeSections = new List<(CodeSection Code, ElfOutputSection Section, ElfOutputSection? Rel)>();
        foreach (var cs in code)
        {
            var sec = _layout.Add(new ElfOutputSection(cs.Name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8));
            var rel = cs.Functions.Any(f => f.Program.Relocations.Count > 0)
                ? _layout.Add(new ElfOutputSection(".rel" + cs.Name, SHT_REL, SHF_INFO_LINK, 8) { EntrySize = RelSize, Info = (uint)sec.Index })
                : null;
            codeSections.Add((cs, sec, rel));
            _codeSectionSymbols.Add(cs.Name, _symbols.Add(new ElfSymbol(cs.Name, STB_LOCAL, STT_SECTION, (ushort)sec.Index, 0, 0)));
        }
        foreach (var (cs, sec, _) in codeSections) DeclareFunctions(cs, sec);

        DeclareMaps();
        DeclareDataSections();
        DeclareLicenseAndVersion();
        DeclareExternFunctions();
        var (btf, btfExt) = EncodeBtf(code);
        if (btf != null) _layout.Add(new ElfOutputSection(".BTF", SHT_PROGBITS, 0, 4) { Contents = btf });
        if (btfExt != null) _layout.Add(new ElfOutputSection(".BTF.ext", SHT_PROGBITS, 0, 4) { Contents = btfExt });
        var symtab = _layout.Add(new ElfOutputSection(".symtab", SHT_SYMTAB, 0, 8) { EntrySize = SymbolSize, Link = (uint)strtab.Index });

        _symbols.Seal();
        foreach (var (cs, sec, rel) in codeSections)
        {
            var relocations = new List<ElfRelocation>();
            sec.Contents = EncodeCode(cs, relocations);
            if (rel != null)
            {
                rel.Link = (uint)symtab.Index;
                rel.Contents = ElfRelocationEncoder.Encode(relocations, _symbols);
            }
        }
        symtab.Contents = _symbols.Encode(_names);
        symtab.Info = _symbols.FirstGlobal;
        return _layout.Write(_names, strtab);
    }

    void CheckNames()
    {
        foreach (var g in _spec.Programs.GroupBy(p => p.Name).Where(g => g.Count() > 1))
            throw Invalid($"two programs are named '{g.Key}'; function symbols must be unique");
        foreach (var g in _spec.Maps.GroupBy(m => m.Name).Where(g => g.Count() > 1))
            throw Invalid($"two maps are named '{g.Key}'");
        foreach (var p in _spec.Programs)
        {
            if (p.Instructions.Count == 0) throw Invalid($"program '{p.Name}' has no instructions");
            if (string.IsNullOrEmpty(p.SectionName) || p.SectionName.StartsWith(".rel", StringComparison.Ordinal)
                || p.SectionName is MapsSection or LicenseSection or VersionSection || p.SectionName.StartsWith(".BTF", StringComparison.Ordinal))
                throw Invalid($"program '{p.Name}' has section name '{p.SectionName}', which is not a code section");
        }
    }

    void DeclareFunctions(CodeSection cs, ElfOutputSection sec)
    {
        foreach (var f in cs.Functions)
        {
            // Static sub-programs get LOCAL symbols as clang gives static functions; entry programs must be
            // GLOBAL (libbpf: "program is static and not supported").
            bool local = f.Program.IsSubprogram && f.Program.FuncInfos.FirstOrDefault()?.Func.Linkage == BtfFuncLinkage.Static;
            var sym = new ElfSymbol(f.Program.Name, local ? STB_LOCAL : STB_GLOBAL, STT_FUNC, (ushort)sec.Index,
                (ulong)f.SlotOffset * Instruction.SlotSize, (ulong)f.SlotCount * Instruction.SlotSize);
            _functionSymbols.Add(f.Program.Name, _symbols.Add(sym));
        }
    }

    void DeclareMaps()
    {
        if (_spec.Maps.Count == 0) return;
        var datasec = _spec.Btf?.FindType<BtfDatasec>(MapsSection)
            ?? throw Invalid("the object has maps but ObjectSpec.Btf has no '.maps' DATASEC (libbpf needs BTF-defined maps)");
        var placed = new List<(MapSpec Map, ulong Offset, ulong Size)>();
        foreach (var map in _spec.Maps)
        {
            var info = datasec.Variables.FirstOrDefault(v => map.BtfVar != null && ReferenceEquals(v.Var, map.BtfVar))
                ?? datasec.Variables.FirstOrDefault(v => v.Var.Name == map.Name)
                ?? throw Invalid($"map '{map.Name}' has no VAR in the '.maps' DATASEC");
            if (info.Var.Name != map.Name)
                throw Invalid($"map '{map.Name}' is linked to VAR '{info.Var.Name}'; libbpf names maps after their VAR");
            ulong size = info.Size != 0 ? info.Size : BtfLayout.SizeOf(info.Var.Type);
            placed.Add((map, info.Offset, size));
        }
        CheckNoOverlap(MapsSection, placed.Select(p => (p.Map.Name, p.Offset, p.Size)));
        ulong sectionSize = Math.Max(datasec.Size, placed.Max(p => p.Offset + p.Size));
        var sec = _layout.Add(new ElfOutputSection(MapsSection, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8) { Contents = new byte[sectionSize] });
        foreach (var (map, offset, size) in placed)
            _mapSymbols.Add(map.Name, _symbols.Add(new ElfSymbol(map.Name, STB_GLOBAL, STT_OBJECT, (ushort)sec.Index, offset, size)));
    }

    void DeclareDataSections()
    {
        foreach (var g in _spec.DataSections.GroupBy(d => d.Name).Where(g => g.Count() > 1))
            throw Invalid($"two data sections are named '{g.Key}'");
        foreach (var data in _spec.DataSections)
        {
            bool bss = data.Name == ".bss" || data.Name.StartsWith(".bss.", StringComparison.Ordinal);
            bool rodata = data.IsReadOnly;
            if (!bss && !rodata && data.Name != ".data" && !data.Name.StartsWith(".data.", StringComparison.Ordinal))
                throw Invalid($"data section '{data.Name}' is not .data, .rodata or .bss (or a '.name' variant); libbpf would not create a map for it");
            if (data.Contents != null && data.Contents.Length != data.Size)
                throw Invalid($"data section '{data.Name}' has {data.Contents.Length} bytes of contents but Size {data.Size}");
            if (bss && data.Contents != null && data.Contents.Any(b => b != 0))
                throw Invalid($"data section '{data.Name}' is .bss (zero-filled) but has non-zero contents");
            ulong flags = SHF_ALLOC | (rodata ? 0 : SHF_WRITE);
            var sec = _layout.Add(new ElfOutputSection(data.Name, bss ? SHT_NOBITS : SHT_PROGBITS, flags, 8)
            {
                Contents = bss ? null : data.Contents ?? new byte[data.Size],
                NoBitsSize = bss ? data.Size : 0,
            });
            _dataSectionSymbols.Add(data.Name, _symbols.Add(new ElfSymbol(data.Name, STB_LOCAL, STT_SECTION, (ushort)sec.Index, 0, 0)));
            if (data.BtfDatasec == null) continue;
            var vars = new List<(string, ulong, ulong)>();
            foreach (var v in data.BtfDatasec.Variables)
            {
                if (v.Var.Linkage == BtfVarLinkage.GlobalExtern) continue;
                string name = string.IsNullOrEmpty(v.Var.Name) ? throw Invalid($"DATASEC '{data.Name}' has an unnamed VAR") : v.Var.Name;
                ulong size = v.Size != 0 ? v.Size : BtfLayout.SizeOf(v.Var.Type);
                if (v.Offset + size > data.Size)
                    throw Invalid($"variable '{v.Var.Name}' at {v.Offset}+{size} lies outside data section '{data.Name}' ({data.Size} bytes)");
                vars.Add((name, v.Offset, size));
                // libbpf matches global VARs to GLOBAL OBJECT symbols by name; static ones are optional, clang emits them LOCAL.
                byte binding = v.Var.Linkage == BtfVarLinkage.Static ? STB_LOCAL : STB_GLOBAL;
                _symbols.Add(new ElfSymbol(name, binding, STT_OBJECT, (ushort)sec.Index, v.Offset, size));
            }
            CheckNoOverlap(data.Name, vars);
        }
    }

    void DeclareLicenseAndVersion()
    {
        if (!string.IsNullOrEmpty(_spec.License))
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(_spec.License + "\0");
            var sec = _layout.Add(new ElfOutputSection(LicenseSection, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1) { Contents = bytes });
            // The symbol carries the VAR name of a "license" DATASEC when the BTF has one, so libbpf's DATASEC fixup finds it.
            string name = _spec.Btf?.FindType<BtfDatasec>(LicenseSection)?.Variables.FirstOrDefault()?.Var.Name ?? "LICENSE";
            _symbols.Add(new ElfSymbol(name, STB_GLOBAL, STT_OBJECT, (ushort)sec.Index, 0, (ulong)bytes.Length));
        }
        if (_spec.KernelVersion != 0)
        {
            var bytes = BitConverter.GetBytes(_spec.KernelVersion);
            if (!BitConverter.IsLittleEndian) Array.Reverse(bytes);
            _layout.Add(new ElfOutputSection(VersionSection, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 4) { Contents = bytes });
        }
    }

    /// <summary>The kernel functions programs call (kfuncs) and the kernel variables they read (typed ksyms): undefined
    /// global symbols, as clang leaves <c>extern ... __ksym</c>.</summary>
    void DeclareExternFunctions()
    {
        foreach (var name in _spec.Programs.SelectMany(p => p.Relocations).Where(r => r.Kind is RelocationKind.Kfunc or RelocationKind.Ksym).Select(r => r.Symbol).Distinct())
        {
            if (_functionSymbols.ContainsKey(name))
                throw Invalid($"kernel symbol '{name}' has the name of a function of the object");
            _externSymbols.Add(name, _symbols.Add(new ElfSymbol(name, STB_GLOBAL, STT_NOTYPE, SHN_UNDEF, 0, 0)));
        }
    }

    (byte[]? Btf, byte[]? Ext) EncodeBtf(List<CodeSection> code)
    {
        if (_spec.Btf == null)
        {
            if (_spec.Programs.Any(p => p.FuncInfos.Count > 0 || p.LineInfos.Count > 0 || p.CoreRelocations.Count > 0))
                throw Invalid("programs have func_info/line_info/CO-RE records but ObjectSpec.Btf is null");
            return (null, null);
        }
        // ProgramSpec offsets count from the function start; .BTF.ext counts from the section start.
        var sections = code.Select(cs => new BtfExtSection(cs.Name,
            cs.Functions.SelectMany(f => f.Program.FuncInfos.Select(i => i with { InstructionOffset = ToSection(f, i.InstructionOffset, "func_info") })).ToList(),
            cs.Functions.SelectMany(f => f.Program.LineInfos.Select(i => i with { InstructionOffset = ToSection(f, i.InstructionOffset, "line_info") })).ToList())
            {
                CoreRelocations = cs.Functions.SelectMany(f => f.Program.CoreRelocations.Select(i => i with { InstructionOffset = ToSection(f, i.InstructionOffset, "CO-RE relocation") })).ToList(),
            })
            .Where(s => s.FuncInfos.Count > 0 || s.LineInfos.Count > 0 || s.CoreRelocations.Count > 0)
            .ToList();
        if (sections.Count == 0) return (_spec.Btf.RawBytes, null);
        CheckKernelExtInfoRules(code);
        var btf = _spec.Btf.WithStrings(BtfExt.RequiredStrings(sections));
        foreach (var f in sections.SelectMany(s => s.FuncInfos))
            if (!btf.TryGetId(f.Func, out _))
                throw Invalid($"func_info names FUNC '{f.Func.Name}', which is not a type of ObjectSpec.Btf (add it to the builder that built the BTF)");
        return (btf.RawBytes, BtfExt.Encode(sections, btf));
    }

    /// <summary>Rules the kernel enforces at BPF_PROG_LOAD (object-format reference §4.3, §4.4), checked here so a
    /// mistake names the function instead of surfacing as "number of funcs in func_info doesn't match".</summary>
    static void CheckKernelExtInfoRules(List<CodeSection> code)
    {
        var functions = code.SelectMany(c => c.Functions).ToList();
        var withFuncInfo = functions.Where(f => f.Program.FuncInfos.Count > 0).ToList();
        if (withFuncInfo.Count > 0 && withFuncInfo.Count < functions.Count)
        {
            var missing = functions.First(f => f.Program.FuncInfos.Count == 0).Program.Name;
            throw Invalid($"'{missing}' has no func_info while other functions do; the kernel needs one for every function");
        }
        foreach (var f in functions)
        {
            var p = f.Program;
            if (p.FuncInfos.Count > 1 || (p.FuncInfos.Count == 1 && p.FuncInfos[0].InstructionOffset != 0))
                throw Invalid($"'{p.Name}' must have exactly one func_info, at instruction 0");
            if (p.LineInfos.Count > 0 && p.LineInfos.Min(l => l.InstructionOffset) != 0)
                throw Invalid($"'{p.Name}' has line_info but none at instruction 0; the kernel requires one at each function start");
        }
    }

    static int ToSection(PlacedFunction f, int offset, string what)
    {
        if (offset < 0 || offset >= f.SlotCount)
            throw Invalid($"program '{f.Program.Name}': {what} offset {offset} is outside the function ({f.SlotCount} slots)");
        return f.SlotOffset + offset;
    }

    byte[] EncodeCode(CodeSection cs, List<ElfRelocation> relocations)
    {
        var bytes = new byte[cs.SlotCount * Instruction.SlotSize];
        foreach (var f in cs.Functions)
        {
            var p = f.Program;
            var insns = p.Instructions.ToArray();
            var relocated = new HashSet<int>();
            foreach (var r in p.Relocations)
            {
                if (r.InstructionIndex < 0 || r.InstructionIndex >= insns.Length)
                    throw Invalid($"program '{p.Name}': relocation against '{r.Symbol}' names instruction {r.InstructionIndex}, outside 0..{insns.Length - 1}");
                if (!relocated.Add(r.InstructionIndex))
                    throw Invalid($"program '{p.Name}': instruction {r.InstructionIndex} has two relocations");
                var insn = insns[r.InstructionIndex];
                ulong offset = (ulong)(f.SlotOffset + f.Slots[r.InstructionIndex]) * Instruction.SlotSize;
                insns[r.InstructionIndex] = Relocate(p, r, insn, offset, relocations);
            }
            for (int i = 0; i < insns.Length; i++)
                if (insns[i].IsLocalCall && !relocated.Contains(i))
                    throw Invalid($"program '{p.Name}': instruction {i} is a BPF-to-BPF call without a Call relocation naming its callee");
            int pos = f.SlotOffset * Instruction.SlotSize;
            foreach (var insn in insns) pos += insn.Encode(bytes.AsSpan(pos));
        }
        return bytes;
    }

    /// <summary>Records the relocation and returns the instruction in the form clang leaves in objects:
    /// ld_imm64 with src 0 (libbpf sets the pseudo source), a map's imm 0, a data reference's imm the byte
    /// offset in its section (addend against the section symbol), a call's imm -1 against the callee's symbol.</summary>
    Instruction Relocate(ProgramSpec p, Relocation r, Instruction insn, ulong offset, List<ElfRelocation> relocations)
    {
        switch (r.Kind)
        {
            case RelocationKind.Map:
                RequireLoad(p, r, insn);
                if (!_mapSymbols.TryGetValue(r.Symbol, out var map))
                    throw Invalid($"program '{p.Name}' instruction {r.InstructionIndex} refers to map '{r.Symbol}', which is not in ObjectSpec.Maps");
                relocations.Add(new ElfRelocation(offset, map, R_BPF_64_64));
                return insn with { Src = Register.R0, Constant = 0 };
            case RelocationKind.GlobalData:
                RequireLoad(p, r, insn);
                if (!_dataSectionSymbols.TryGetValue(r.Symbol, out var data))
                    throw Invalid($"program '{p.Name}' instruction {r.InstructionIndex} refers to data section '{r.Symbol}', which is not in ObjectSpec.DataSections");
                var section = _spec.DataSections.First(d => d.Name == r.Symbol);
                if (insn.Constant < 0 || insn.Constant >= Math.Max(1u, section.Size))
                    throw Invalid($"program '{p.Name}' instruction {r.InstructionIndex}: offset {insn.Constant} is outside '{r.Symbol}' ({section.Size} bytes)");
                relocations.Add(new ElfRelocation(offset, data, R_BPF_64_64));
                return insn with { Src = Register.R0 };
            case RelocationKind.Call when insn.IsWide:
            {
                // The address of a callback: as clang emits it, ld_imm64 src=BPF_PSEUDO_FUNC against the
                // .text section symbol, imm the callee's byte offset (libbpf's RELO_SUBPROG_ADDR).
                var target = _spec.Programs.FirstOrDefault(x => x.Name == r.Symbol);
                if (target == null || !target.IsSubprogram)
                    throw Invalid($"program '{p.Name}' takes the address of '{r.Symbol}', which is not a sub-program in .text");
                var symbol = _functionSymbols[r.Symbol];
                relocations.Add(new ElfRelocation(offset, _codeSectionSymbols[".text"], R_BPF_64_64));
                return insn with { Src = (Register)PseudoSource.Func, Constant = (long)symbol.Value };
            }
            case RelocationKind.Call:
                if (!insn.IsCall)
                    throw Invalid($"program '{p.Name}' instruction {r.InstructionIndex} has a Call relocation but is not a call ({insn})");
                var callee = _spec.Programs.FirstOrDefault(x => x.Name == r.Symbol);
                if (callee == null || !callee.IsSubprogram)
                    throw Invalid($"program '{p.Name}' calls '{r.Symbol}', which is not a sub-program in .text");
                relocations.Add(new ElfRelocation(offset, _functionSymbols[r.Symbol], R_BPF_64_32));
                return insn with { Src = Register.R1, Constant = -1 };
            case RelocationKind.Kfunc:
                if (!insn.IsCall)
                    throw Invalid($"program '{p.Name}' instruction {r.InstructionIndex} has a Kfunc relocation but is not a call ({insn})");
                relocations.Add(new ElfRelocation(offset, _externSymbols[r.Symbol], R_BPF_64_32));
                return insn with { Src = (Register)CallSource.Local, Offset = 0, Constant = -1 };   // as clang leaves it; libbpf sets src 2
            case RelocationKind.Ksym:
                RequireLoad(p, r, insn);
                relocations.Add(new ElfRelocation(offset, _externSymbols[r.Symbol], R_BPF_64_64));
                return insn with { Src = Register.R0, Constant = 0 };
            default:
                throw Invalid($"program '{p.Name}': unknown relocation kind {r.Kind}");
        }
    }

    static void RequireLoad(ProgramSpec p, Relocation r, Instruction insn)
    {
        if (!insn.IsWide)
            throw Invalid($"program '{p.Name}' instruction {r.InstructionIndex} has a {r.Kind} relocation against '{r.Symbol}' but is not ld_imm64 ({insn})");
    }

    static void CheckNoOverlap(string section, IEnumerable<(string Name, ulong Offset, ulong Size)> items)
    {
        var sorted = items.OrderBy(i => i.Offset).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i - 1].Offset + sorted[i - 1].Size > sorted[i].Offset)
                throw Invalid($"'{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap in '{section}' (offsets {sorted[i - 1].Offset} and {sorted[i].Offset}); the DATASEC needs real offsets");
    }

    static InvalidObjectSpecException Invalid(string message) => new(message);
}
