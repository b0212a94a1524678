using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A linked program's BTF records in the kernel's form for BPF_PROG_LOAD: func_info and line_info (offsets in
/// instruction slots, strings as offsets into the loaded BTF) and CO-RE relocations (offsets in bytes).</summary>
internal static class ProgramBtfRecords
{
    public static (KernelFuncInfo[]? Funcs, KernelLineInfo[]? Lines, KernelCoreRelo[]? CoreRelos) Build(LinkedProgram program, LoadedBtf? btf, List<string>? warnings)
    {
        var (funcs, lines) = FuncAndLineInfos(program, btf, warnings);
        return (funcs, lines, CoreRelos(program, btf, funcs is not null));
    }

    /// <summary>CO-RE relocations for the kernel to apply against its own BTF while loading (kernel-side CO-RE, 5.17+):
    /// the kernel finds the target types in vmlinux BTF and patches the instructions as libbpf would in user space.
    /// They need the object's BTF attached to the program, which the kernel does only with func_info.</summary>
    static KernelCoreRelo[]? CoreRelos(LinkedProgram program, LoadedBtf? btf, bool haveFuncInfo)
    {
        if (program.CoreRelocations.Count == 0) return null;
        string what = $"program '{program.Name}' has {program.CoreRelocations.Count} CO-RE relocation(s) (the first for {program.CoreRelocations[0].Type} '{program.CoreRelocations[0].AccessString}')";
        if (btf is null)
            throw new LoadException($"{what}, which need the object's BTF in the kernel, but the BTF was not loaded (rejected by the kernel or disabled; see Collection warnings)");
        if (!haveFuncInfo)
            throw new LoadException($"{what}, which need func_info for every function so the kernel attaches the object's BTF to the program");
        var relos = new KernelCoreRelo[program.CoreRelocations.Count];
        for (int i = 0; i < relos.Length; i++)
        {
            var relo = program.CoreRelocations[i];
            if (!btf.Spec.TryGetId(relo.Type, out int typeId))
                throw new LoadException($"program '{program.Name}': CO-RE relocation of {relo.Type} is not a type of the object's BTF");
            uint access = btf.Spec.FindString(relo.AccessString)
                ?? throw new LoadException($"program '{program.Name}': CO-RE access string '{relo.AccessString}' is not in the object's BTF");
            relos[i] = new KernelCoreRelo { InsnOff = (uint)relo.InstructionOffset * 8, TypeId = (uint)typeId, AccessStrOff = access, Kind = (uint)relo.Kind };
        }
        return relos;
    }

    /// <summary>func_info and line_info in the kernel's form, or null when they cannot be given: no BTF loaded, a function
    /// without its FUNC record (the kernel requires one per function), or a string missing from the loaded BTF.</summary>
    static (KernelFuncInfo[]? Funcs, KernelLineInfo[]? Lines) FuncAndLineInfos(LinkedProgram program, LoadedBtf? btf, List<string>? warnings)
    {
        if (btf is null || program.FuncInfos.Count == 0) return (null, null);

        var funcs = new List<KernelFuncInfo>();
        foreach (var function in program.Functions)
        {
            var info = program.FuncInfos.FirstOrDefault(f => f.InstructionOffset == function.FirstSlot);
            if (info is null || !btf.Spec.TryGetId(info.Func, out int funcId))
            {
                warnings?.Add($"program '{program.Name}': function '{function.Name}' "
                    + (info is null ? "has no func_info" : $"has func_info naming {info.Func}, which is not in the object's BTF")
                    + "; loaded without func_info/line_info");
                return (null, null);
            }
            funcs.Add(new KernelFuncInfo { InsnOff = (uint)function.FirstSlot, TypeId = (uint)funcId });
        }

        var lines = new List<KernelLineInfo>(program.LineInfos.Count);
        foreach (var line in program.LineInfos)
        {
            uint? file = btf.Spec.FindString(line.FileName);
            uint? text = btf.Spec.FindString(line.LineText);
            if (file is null || text is null)
            {
                warnings?.Add($"program '{program.Name}': line_info string '{(file is null ? line.FileName : line.LineText)}' is not in the object's BTF; loaded without line_info");
                return (funcs.ToArray(), null);
            }
            lines.Add(new KernelLineInfo
            {
                InsnOff = (uint)line.InstructionOffset,
                FileNameOff = file.Value,
                LineOff = text.Value,
                LineCol = ((uint)line.Line << 10) | ((uint)line.Column & 0x3ff),
            });
        }
        return (funcs.ToArray(), lines.Count == 0 ? null : lines.ToArray());
    }
}
