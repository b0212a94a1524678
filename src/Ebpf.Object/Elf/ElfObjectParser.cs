using System.Buffers.Binary;
using Ebpf.Asm;
using Ebpf.Btf;
using static Ebpf.Object.Elf.ElfConstants;

namespace Ebpf.Object.Elf;

/// <summary>Builds an <see cref="ObjectSpec"/> from an opened object, following libbpf 1.1's reading rules:
/// programs are the sized STT_FUNC symbols of executable sections, maps are the VARs of the <c>.maps</c>
/// DATASEC, code relocations are resolved by the section of their symbol.</summary>
internal sealed class ElfObjectParser
{
    sealed class Function(ElfInputSymbol symbol, ElfInputSection section, int slotOffset, List<Instruction> instructions, int[] slots)
    {
        public ElfInputSymbol Symbol { get; } = symbol;
        public ElfInputSection Section { get; } = section;
        public int SlotOffset { get; } = slotOffset;
        public List<Instruction> Instructions { get; } = instructions;
        /// <summary>Slot of each instruction from the function start; last entry = length.</summary>
        public int[] Slots { get; } = slots;
        public List<Relocation> Relocations { get; } = new();
        public int SlotCount => Slots[^1];
        public bool Contains(int sectionSlot) => sectionSlot >= SlotOffset && sectionSlot < SlotOffset + SlotCount;

        public int InstructionAt(int functionSlot)
        {
            int i = Array.BinarySearch(Slots, functionSlot);
            return i >= 0 && i < Instructions.Count ? i : -1;
        }
    }

    readonly ElfObjectFile _file;
    readonly List<Function> _functions = new();
    readonly Dictionary<int, string> _mapsByOffset = new();
    ElfInputSection? _maps;
    BtfDatasec? _kconfig;
    BtfDatasec? _ksyms;

    ElfObjectParser(ElfObjectFile file) => _file = file;

    public static ObjectSpec Parse(ElfObjectFile file) => new ElfObjectParser(file).Parse();

    ObjectFormatException Error(string problem) => ElfFileCheck.Error(_file.Name, problem);

    ObjectSpec Parse()
    {
        if (_file.Section("maps") is { } legacy && legacy.Size > 0)
            throw Error("legacy map definitions in section 'maps' are not supported (libbpf 1.0+ rejects them too); use BTF-defined maps in '.maps'");
        var spec = new ObjectSpec { License = ReadLicense(), KernelVersion = ReadVersion() };
        spec.Btf = ReadBtf();
        _maps = _file.Section(".maps");
        ReadMaps(spec);
        ReadDataSections(spec);
        ReadFunctions();
        ReadRelocations();
        var ext = ReadBtfExt(spec.Btf);
        foreach (var f in _functions) spec.Programs.Add(ToProgram(f, ext));
        return spec;
    }

    string ReadLicense()
    {
        var s = _file.Section("license");
        if (s == null) return "";
        var bytes = s.Contents;
        int nul = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.ASCII.GetString(bytes, 0, nul < 0 ? bytes.Length : nul);
    }

    uint ReadVersion()
    {
        var s = _file.Section("version");
        if (s == null) return 0;
        if (s.Size != 4) throw Error($"section 'version' has {s.Size} bytes; it must be a 4-byte kernel version");
        return BinaryPrimitives.ReadUInt32LittleEndian(s.Contents);
    }

    BtfSpec? ReadBtf()
    {
        var s = _file.Section(".BTF");
        if (s == null) return null;
        try
        {
            var btf = BtfKconfigFixup.Apply(BtfSpec.Parse(s.Contents));
            // __hidden global sub-programs (usdt.bpf.h's bpf_usdt_arg) are private to the object: the verifier checks them
            // with each caller's arguments instead of on their own, as libbpf arranges by making their BTF FUNC static.
            btf = BtfFuncLinkageFixup.MakeStatic(btf, _file.Symbols.Where(y => y.IsFunction && y.IsHidden && y.Binding is STB_GLOBAL or STB_WEAK
                && y.SectionIndex < _file.Sections.Count && _file.Sections[y.SectionIndex].Name == ".text").Select(y => y.Name).ToHashSet());
            return BtfDatasecFixup.Apply(btf,
                name => _file.Section(name) is { } sec && sec.IsAllocated ? sec.Size : null,
                name => _file.Symbols.FirstOrDefault(y => y.Name == name && y.Type == STT_OBJECT
                    && y.Binding is STB_GLOBAL or STB_WEAK && y.SectionIndex is > SHN_UNDEF and < SHN_LORESERVE)?.Value);
        }
        catch (BtfFormatException e)
        {
            throw Error($".BTF: {e.Message}");
        }
    }

    void ReadMaps(ObjectSpec spec)
    {
        var datasec = spec.Btf?.FindType<BtfDatasec>(".maps");
        if (_maps == null)
        {
            if (datasec is { Variables.Count: > 0 }) throw Error("BTF has a '.maps' DATASEC but the object has no '.maps' section");
            return;
        }
        if (spec.Btf == null) throw Error("the object has a '.maps' section but no .BTF; BTF-defined maps need BTF");
        if (datasec == null) throw Error("the object has a '.maps' section but its BTF has no '.maps' DATASEC");
        foreach (var v in datasec.Variables.OrderBy(v => v.Offset))
        {
            if (v.Offset + (ulong)v.Size > _maps.Size)
                throw Error($"map '{v.Var.Name}' at offset {v.Offset} (+{v.Size}) lies outside the {_maps.Size}-byte '.maps' section");
            var map = MapDefinitionDecoder.Decode(v.Var, Error);
            spec.Maps.Add(map);
            _mapsByOffset[(int)v.Offset] = map.Name;
        }
    }

    static bool IsDataSection(string name) =>
        name is ".data" or ".rodata" or ".bss"
        || name.StartsWith(".data.", StringComparison.Ordinal) || name.StartsWith(".rodata.", StringComparison.Ordinal)
        || name.StartsWith(".bss.", StringComparison.Ordinal);

    void ReadDataSections(ObjectSpec spec)
    {
        // extern ... __kconfig variables: a section the loader lays out (BtfKconfigFixup) and fills from the running kernel.
        _kconfig = spec.Btf?.FindType<BtfDatasec>(".kconfig");
        _ksyms = spec.Btf?.FindType<BtfDatasec>(".ksyms");
        if (_kconfig is { Size: > 0 })
            spec.DataSections.Add(new DataSectionSpec { Name = ".kconfig", Size = _kconfig.Size, BtfDatasec = _kconfig });
        foreach (var s in _file.Sections)
        {
            if (!IsDataSection(s.Name) || !s.IsAllocated || s.Size == 0) continue;
            if (s.Type is not (SHT_PROGBITS or SHT_NOBITS)) continue;
            if (s.Size > uint.MaxValue) throw Error($"data section '{s.Name}' is larger than 4 GiB");
            spec.DataSections.Add(new DataSectionSpec
            {
                Name = s.Name,
                Size = (uint)s.Size,
                Contents = s.Type == SHT_NOBITS ? null : s.Contents,
                BtfDatasec = spec.Btf?.FindType<BtfDatasec>(s.Name),
            });
        }
    }

    void ReadFunctions()
    {
        foreach (var section in _file.Sections.Where(s => s.IsExecutable && s.Size > 0))
        {
            if (section.Size % Instruction.SlotSize != 0)
                throw Error($"code section '{section.Name}' is {section.Size} bytes, not a multiple of 8");
            var symbols = _file.Symbols.Where(y => y.IsFunction && y.SectionIndex == section.Index).OrderBy(y => y.Value).ToList();
            // libbpf loads nothing from an executable section without function symbols, and neither do we.
            for (int i = 0; i < symbols.Count; i++)
            {
                var sym = symbols[i];
                ulong end = sym.Size != 0 ? sym.Value + sym.Size : i + 1 < symbols.Count ? symbols[i + 1].Value : section.Size;
                if (sym.Value % 8 != 0 || end % 8 != 0 || end <= sym.Value || end > section.Size)
                    throw Error($"function '{sym.Name}' [{sym.Value}, {end}) is not a whole number of instructions inside section '{section.Name}' ({section.Size} bytes)");
                if (i > 0 && sym.Value < symbols[i - 1].Value + symbols[i - 1].Size)
                    throw Error($"functions '{symbols[i - 1].Name}' and '{sym.Name}' overlap in section '{section.Name}'");
                if (section.Name != ".text" && sym.Binding == STB_LOCAL)
                    throw Error($"program '{sym.Name}' in section '{section.Name}' is static; entry programs must be global (libbpf rejects static ones)");
                List<Instruction> insns;
                try { insns = InstructionCodec.Decode(section.Contents.AsSpan((int)sym.Value, (int)(end - sym.Value))); }
                catch (FormatException e) { throw Error($"function '{sym.Name}' in '{section.Name}': {e.Message}"); }
                var slots = new int[insns.Count + 1];
                for (int k = 0; k < insns.Count; k++) slots[k + 1] = slots[k] + insns[k].Slots;
                _functions.Add(new Function(sym, section, (int)(sym.Value / 8), insns, slots));
            }
        }
        foreach (var g in _functions.GroupBy(f => f.Symbol.Name).Where(g => g.Count() > 1))
            throw Error($"two functions are named '{g.Key}'");
    }

    Function? FunctionAt(ElfInputSection section, int sectionSlot) =>
        _functions.FirstOrDefault(f => f.Section == section && f.Contains(sectionSlot));

    void ReadRelocations()
    {
        var relocated = new HashSet<(Function, int)>();
        foreach (var rel in _file.Sections.Where(s => s.Type == SHT_REL))
        {
            var target = _file.Sections[(int)rel.Header.Info];
            if (!target.IsExecutable) continue;   // .rel.BTF, .rel.BTF.ext, DWARF: ignored like libbpf does
            if (rel.Header.Link >= _file.Sections.Count || _file.Sections[(int)rel.Header.Link].Type != SHT_SYMTAB)
                throw Error($"relocation section '{rel.Name}' does not link to the symbol table");
            var bytes = rel.Contents;
            for (int pos = 0; pos + RelSize <= bytes.Length; pos += RelSize)
            {
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
                ulong info = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos + 8));
                uint type = (uint)info;
                ulong symIndex = info >> 32;
                string where = $"relocation {pos / RelSize} of '{rel.Name}'";
                if (offset % 8 != 0 || offset >= target.Size) throw Error($"{where}: offset {offset} is not an instruction of '{target.Name}'");
                if (symIndex >= (ulong)_file.Symbols.Count) throw Error($"{where}: symbol {symIndex} does not exist");
                var sym = _file.Symbols[(int)symIndex];
                int slot = (int)(offset / 8);
                var function = FunctionAt(target, slot);
                if (function == null) continue;   // code no function symbol covers is not loaded (libbpf does the same)
                int index = function.InstructionAt(slot - function.SlotOffset);
                if (index < 0) throw Error($"{where}: offset {offset} is inside an ld_imm64 of '{function.Symbol.Name}'");
                if (!relocated.Add((function, index))) throw Error($"{where}: instruction {index} of '{function.Symbol.Name}' is relocated twice");
                function.Relocations.Add(Resolve(function, index, sym, type, where));
            }
        }
        // clang leaves calls between functions of the same section PC-relative, without a relocation.
        foreach (var f in _functions)
        {
            for (int i = 0; i < f.Instructions.Count; i++)
            {
                var insn = f.Instructions[i];
                if (!insn.IsLocalCall || relocated.Contains((f, i))) continue;
                int targetSlot = f.SlotOffset + f.Slots[i] + 1 + insn.Imm;
                var callee = _functions.FirstOrDefault(x => x.Section == f.Section && x.SlotOffset == targetSlot);
                if (callee == null || callee.Section.Name != ".text")
                    throw Error($"'{f.Symbol.Name}' instruction {i} calls slot {targetSlot} of '{f.Section.Name}', which is not the start of a .text function");
                f.Instructions[i] = insn with { Constant = -1 };
                f.Relocations.Add(new Relocation(i, RelocationKind.Call, callee.Symbol.Name));
            }
            f.Relocations.Sort((a, b) => a.InstructionIndex.CompareTo(b.InstructionIndex));
        }
    }

    Relocation Resolve(Function f, int index, ElfInputSymbol sym, uint type, string where)
    {
        var insn = f.Instructions[index];
        string symName = sym.IsSection && sym.SectionIndex < _file.Sections.Count ? _file.Sections[sym.SectionIndex].Name : sym.Name;
        if (type is not (R_BPF_64_64 or R_BPF_64_32))
            throw Error($"{where}: unsupported relocation type {type} against '{symName}'");
        if (sym.SectionIndex == SHN_UNDEF)
        {
            if (!insn.IsCall && insn.IsWide && _kconfig?.Variables.FirstOrDefault(v => v.Var.Name == sym.Name) is { } kconfigVar)
            {
                f.Instructions[index] = insn with { Src = Register.R0, Constant = kconfigVar.Offset + (int)insn.Constant };
                return new Relocation(index, RelocationKind.GlobalData, ".kconfig");
            }
            if (!insn.IsCall && insn.IsWide && _ksyms?.Variables.Any(v => v.Var.Name == sym.Name && BtfLayout.SkipQualifiers(v.Var.Type) is not BtfVoid) == true)
            {
                f.Instructions[index] = insn with { Src = Register.R0, Constant = 0 };
                return new Relocation(index, RelocationKind.Ksym, sym.Name);
            }
            if (!insn.IsCall)
                throw Error($"{where}: '{f.Symbol.Name}' refers to extern variable '{sym.Name}', which is neither a kconfig variable (in the '.kconfig' DATASEC) nor a typed ksym (a VAR of a type in the '.ksyms' DATASEC)");
            f.Instructions[index] = insn with { Src = (Register)CallSource.Kfunc, Offset = 0, Constant = 0 };
            return new Relocation(index, RelocationKind.Kfunc, sym.Name);
        }
        if (sym.SectionIndex >= SHN_LORESERVE)
            throw Error($"{where}: '{symName}' is in special section 0x{sym.SectionIndex:x}; forgot to initialize a global variable?");
        var symSection = _file.Sections[sym.SectionIndex];

        if (insn.IsCall)
        {
            if (!insn.IsLocalCall) throw Error($"{where}: relocated call in '{f.Symbol.Name}' has src {(int)insn.Src}, not BPF_PSEUDO_CALL");
            if (symSection.Name != ".text") throw Error($"{where}: call from '{f.Symbol.Name}' to '{symName}' in '{symSection.Name}'; sub-programs must be in .text");
            if (sym.Value % 8 != 0) throw Error($"{where}: call target '{symName}' is not instruction aligned");
            long targetSlot = (long)(sym.Value / 8) + insn.Imm + 1;
            var callee = _functions.FirstOrDefault(x => x.Section == symSection && x.SlotOffset == targetSlot)
                ?? throw Error($"{where}: call from '{f.Symbol.Name}' lands on .text slot {targetSlot}, which is not the start of a function");
            f.Instructions[index] = insn with { Constant = -1 };
            return new Relocation(index, RelocationKind.Call, callee.Symbol.Name);
        }
        if (!insn.IsWide)
            throw Error($"{where}: relocation against '{symName}' on instruction {index} of '{f.Symbol.Name}', which is neither ld_imm64 nor call ({insn})");
        if (symSection.Name == ".text" && (int)insn.Src == (int)PseudoSource.Func)
        {
            // A callback's address (bpf_loop): the function at the symbol's offset plus imm.
            long targetByte = (long)sym.Value + (int)insn.Constant;
            var callback = _functions.FirstOrDefault(x => x.Section == symSection && x.SlotOffset * 8L == targetByte)
                ?? throw Error($"{where}: '{f.Symbol.Name}' takes the address of .text offset {targetByte}, which is not the start of a function");
            f.Instructions[index] = insn with { Constant = 0 };
            return new Relocation(index, RelocationKind.Call, callback.Symbol.Name);
        }
        if (symSection == _maps)
        {
            if (!_mapsByOffset.TryGetValue((int)sym.Value, out var map))
                throw Error($"{where}: '{f.Symbol.Name}' refers to offset {sym.Value} of '.maps', where no map starts");
            f.Instructions[index] = insn with { Src = Register.R0, Constant = 0 };
            return new Relocation(index, RelocationKind.Map, map);
        }
        if (IsDataSection(symSection.Name) && symSection.IsAllocated)
        {
            // Global variables are relocated against their own symbol (addend 0), statics and strings against
            // the section symbol with the offset as addend in imm: either way the byte offset is value + addend.
            long byteOffset = (long)sym.Value + (int)insn.Constant;
            if (byteOffset < 0 || (ulong)byteOffset >= Math.Max(1, symSection.Size))
                throw Error($"{where}: '{f.Symbol.Name}' refers to byte {byteOffset} of '{symSection.Name}' ({symSection.Size} bytes)");
            f.Instructions[index] = insn with { Src = Register.R0, Constant = byteOffset };
            return new Relocation(index, RelocationKind.GlobalData, symSection.Name);
        }
        if (symSection.IsExecutable)
            throw Error($"{where}: '{f.Symbol.Name}' takes the address of function '{symName}' (a callback); not supported yet");
        throw Error($"{where}: '{f.Symbol.Name}' refers to '{symName}' in section '{symSection.Name}', which is neither a map nor global data");
    }

    IReadOnlyList<BtfExtSection> ReadBtfExt(BtfSpec? btf)
    {
        var s = _file.Section(".BTF.ext");
        if (s == null || btf == null) return Array.Empty<BtfExtSection>();
        try { return BtfExt.Parse(s.Contents, btf); }
        catch (BtfFormatException e) { throw Error($".BTF.ext: {e.Message}"); }
    }

    ProgramSpec ToProgram(Function f, IReadOnlyList<BtfExtSection> ext)
    {
        string section = f.Section.Name;
        var records = ext.Where(e => e.SectionName == section).ToList();
        int Local(int sectionSlot, string what)
        {
            int local = sectionSlot - f.SlotOffset;
            if (f.InstructionAt(local) < 0) throw Error($".BTF.ext {what} at slot {sectionSlot} of '{section}' is not on an instruction of '{f.Symbol.Name}'");
            return local;
        }
        var funcInfos = records.SelectMany(r => r.FuncInfos).Where(i => f.Contains(i.InstructionOffset))
            .Select(i => i with { InstructionOffset = Local(i.InstructionOffset, "func_info") }).ToList();
        var lineInfos = records.SelectMany(r => r.LineInfos).Where(i => f.Contains(i.InstructionOffset))
            .Select(i => i with { InstructionOffset = Local(i.InstructionOffset, "line_info") }).ToList();
        var core = records.SelectMany(r => r.CoreRelocations).Where(i => f.Contains(i.InstructionOffset))
            .Select(i => i with { InstructionOffset = Local(i.InstructionOffset, "CO-RE relocation") }).ToList();

        ProgramSection? classified = null;
        if (section != ".text") ProgramSections.TryClassify(section, out classified);
        return new ProgramSpec
        {
            Name = f.Symbol.Name,
            SectionName = section,
            Type = classified?.Type ?? ProgramType.Unspecified,
            ExpectedAttachType = classified?.ExpectedAttachType ?? AttachType.None,
            AttachTarget = classified?.AttachTarget,
            Instructions = f.Instructions,
            Relocations = f.Relocations,
            FuncInfos = funcInfos,
            LineInfos = lineInfos,
            CoreRelocations = core,
        };
    }
}
