using Ebpf.Asm;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.Testing.Isa;
using Ebpf.Testing.Maps;
using Ebpf.Testing.Memory;

namespace Ebpf.Testing.Objects;

/// <summary>Turns an <see cref="ObjectSpec"/> into a <see cref="BpfVm"/>: creates its maps, maps its data sections, links
/// each entry program with its sub-programs (the runtime's <see cref="ProgramLinker"/>, as the kernel loader does) and
/// resolves map and global-data references to interpreter addresses, as libbpf resolves them to map fds.</summary>
internal static class ObjectLoader
{
    public static BpfVm Load(ObjectSpec spec)
    {
        var vm = new BpfVm(spec);
        foreach (var map in spec.Maps) vm.AddMap(MapFactory.Create(map, vm));
        foreach (var section in spec.DataSections)
        {
            var bytes = new byte[section.Size];
            section.Contents?.AsSpan(0, Math.Min(section.Contents.Length, bytes.Length)).CopyTo(bytes);
            var kind = section.IsReadOnly ? RegionKind.ReadOnly : RegionKind.GlobalData;
            vm.Globals.AddSection(section.Name, bytes, vm.Memory.Map($"global data '{section.Name}'", kind, bytes, writable: !section.IsReadOnly));
        }
        foreach (var program in spec.Programs.Where(p => !p.IsSubprogram))
        {
            var linked = ProgramLinker.Link(program, spec.Programs);
            var instructions = linked.Instructions.ToList();
            foreach (var reloc in linked.Relocations)
            {
                var insn = instructions[reloc.InstructionIndex];
                string where = $"program '{program.Name}' instruction {reloc.InstructionIndex} ({insn})";
                if (reloc.Kind == RelocationKind.Kfunc)
                    throw new ObjectFormatException($"{where} calls kernel function '{reloc.Symbol}' (a kfunc), which the interpreter does not simulate");
                if (reloc.Kind == RelocationKind.Ksym)
                    throw new ObjectFormatException($"{where} takes the address of kernel variable '{reloc.Symbol}' (a ksym), which the interpreter does not simulate");
                if (!insn.IsWide) throw new ObjectFormatException($"{where}: a {reloc.Kind} reference to '{reloc.Symbol}' must be on an ld_imm64 instruction");
                ulong address = reloc.Kind switch
                {
                    RelocationKind.Map => vm.Maps.TryGetValue(reloc.Symbol, out var map) ? map.Handle.Address
                        : throw new ObjectFormatException($"{where} references map '{reloc.Symbol}', which the object does not define"),
                    RelocationKind.GlobalData => GlobalAddress(vm, reloc.Symbol, insn.Constant, where),
                    RelocationKind.Call => throw new ObjectFormatException($"{where}: call to '{reloc.Symbol}' left unlinked"),
                    _ => throw new ObjectFormatException($"{where}: unknown relocation kind {reloc.Kind}"),
                };
                instructions[reloc.InstructionIndex] = insn with { Src = Register.R0, Constant = (long)address };
            }
            vm.AddProgram(new ProgramImage(program.Name, program.Type, instructions, linked));
        }
        return vm;
    }

    static ulong GlobalAddress(BpfVm vm, string section, long offset, string where)
    {
        MemoryRegion region;
        try { region = vm.Globals.Region(section); }
        catch (KeyNotFoundException) { throw new ObjectFormatException($"{where} references data section '{section}', which the object does not define"); }
        if (offset < 0 || offset >= region.Length) throw new ObjectFormatException($"{where} references offset {offset} of '{section}', outside its {region.Length} bytes");
        return region.Address + (ulong)offset;
    }
}
