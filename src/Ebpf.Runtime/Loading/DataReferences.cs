using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>Resolves a linked program's references to maps and global data against the maps created for the object,
/// as libbpf's <c>bpf_object__relocate_data</c> does.</summary>
internal static class DataReferences
{
    /// <summary>Writes map fds (BPF_PSEUDO_MAP_FD) and data-section addresses (BPF_PSEUDO_MAP_VALUE: map fd in the first
    /// slot's imm, byte offset in the second's) into the ld_imm64 instructions that reference them.</summary>
    /// <remarks>Kfunc calls get the kernel function's BTF id (BPF_PSEUDO_KFUNC_CALL), and typed ksyms the kernel variable's
    /// (BPF_PSEUDO_BTF_ID), each checked against the declaration in <paramref name="objectBtf"/>.</remarks>
    public static void Resolve(LinkedProgram program, IReadOnlyDictionary<string, Map> maps, IReadOnlyList<DataSectionSpec> dataSections, BtfSpec? objectBtf)
    {
        if (program.Relocations.Count == 0) return;
        var instructions = program.Instructions.ToList();
        foreach (var reloc in program.Relocations)
        {
            var insn = instructions[reloc.InstructionIndex];
            string where = $"program '{program.Name}' instruction {reloc.InstructionIndex} ({insn})";
            if (reloc.Kind == RelocationKind.Kfunc)
            {
                if (!insn.IsCall) throw new LoadException($"{where}: a kfunc reference to '{reloc.Symbol}' must be on a call instruction");
                var found = KernelFunctions.Find(reloc.Symbol, objectBtf, $"program '{program.Name}'");
                instructions[reloc.InstructionIndex] = KfuncCall(insn, found, program.KernelModules);
                continue;
            }
            if (!insn.IsWide)
                throw new LoadException($"{where}: a {reloc.Kind} reference to '{reloc.Symbol}' must be on an ld_imm64 instruction");
            switch (reloc.Kind)
            {
                case RelocationKind.Map:
                    if (!maps.TryGetValue(reloc.Symbol, out var map))
                        throw new LoadException($"{where} references map '{reloc.Symbol}', which the object does not define");
                    instructions[reloc.InstructionIndex] = insn with { Src = (Register)PseudoSource.MapFd, Constant = (uint)map.Fd };
                    break;
                case RelocationKind.GlobalData:
                    var section = dataSections.FirstOrDefault(s => s.Name == reloc.Symbol);
                    if (section is null || !maps.TryGetValue(reloc.Symbol, out var dataMap))
                        throw new LoadException($"{where} references data section '{reloc.Symbol}', which the object does not define");
                    long offset = insn.Constant;
                    if (offset < 0 || offset >= section.Size)
                        throw new LoadException($"{where} references offset {offset} of '{reloc.Symbol}', outside its {section.Size} bytes");
                    instructions[reloc.InstructionIndex] = insn with { Src = (Register)PseudoSource.MapValue, Constant = (offset << 32) | (uint)dataMap.Fd };
                    break;
                case RelocationKind.Ksym:
                    // A typed ksym: BPF_PSEUDO_BTF_ID, the VAR's id in imm and its BTF's fd in the second slot (0: vmlinux).
                    uint varId = KernelVariables.IdOf(reloc.Symbol, objectBtf, $"program '{program.Name}'");
                    instructions[reloc.InstructionIndex] = insn with { Src = (Register)PseudoSource.BtfId, Constant = varId };
                    break;
                case RelocationKind.Call:
                    throw new LoadException($"{where}: call to '{reloc.Symbol}' left unlinked"); // the linker resolves calls
                default:
                    throw new LoadException($"{where}: unknown relocation kind {reloc.Kind}");
            }
        }
        program.ReplaceInstructions(instructions);
    }

    /// <summary>A kfunc call as libbpf writes it: BPF_PSEUDO_KFUNC_CALL with the function's BTF id, and in off the index in
    /// the load's fd_array of its module's BTF (<paramref name="modules"/>, the modules in fd_array order from index 1; off 0
    /// is vmlinux).</summary>
    internal static Instruction KfuncCall(Instruction call, KernelFunctions.Found found, List<string> modules)
    {
        short offset = 0;
        if (found.Module is { } module)
        {
            int index = modules.IndexOf(module);
            if (index < 0) { modules.Add(module); index = modules.Count - 1; }
            offset = checked((short)(index + 1));
        }
        return call with { Src = (Register)CallSource.Kfunc, Offset = offset, Constant = found.Id };
    }
}
