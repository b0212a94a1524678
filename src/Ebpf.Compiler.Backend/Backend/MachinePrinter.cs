using System.Text;
using Ebpf.Asm;

namespace Ebpf.Compiler.Backend;

/// <summary>Prints machine code before and after register allocation, in the syntax of
/// <see cref="InstructionFormatter"/> (llvm-objdump's), with virtual registers as <c>%N</c>
/// (<c>w%N</c> in 32-bit operations).</summary>
public static class MachinePrinter
{
    public static string Print(MachineFunction f)
    {
        var sb = new StringBuilder();
        sb.Append("machine ").Append(f.Name).Append("  ; frame ").Append(f.Frame.Size).Append(" bytes\n");
        foreach (var b in f.Blocks)
        {
            sb.Append(b).Append(":\n");
            foreach (var i in b.Instructions) sb.Append("  ").Append(Format(i)).Append('\n');
        }
        return sb.ToString();
    }

    static string R(Reg r, bool w) => r.IsVirtual ? (w ? "w" : "") + r : w && r.IsPhysical ? "w" + r.Id : r.ToString();

    static string Mem(Reg b, short off) => off < 0 ? $"({R(b, false)} - {-(int)off})" : $"({R(b, false)} + {off})";

    static string Size(MemSize s) => s switch { MemSize.B => "u8", MemSize.H => "u16", MemSize.W => "u32", _ => "u64" };

    public static string Format(MInstr i)
    {
        string src = i.HasSrcReg ? R(i.Src, i.Is32) : i.Imm.ToString();
        return i.Op switch
        {
            MOp.Alu => $"{R(i.Dst, i.Is32)} {AluSymbol(i.Alu)} {src}",
            MOp.Mov => $"{R(i.Dst, i.Is32)} = {src}" + (i.IsCopy ? "" : i.HasSrcReg ? "  ; zero-extends" : ""),
            MOp.Neg => $"{R(i.Dst, i.Is32)} = -{R(i.Dst, i.Is32)}",
            MOp.ByteSwap => $"{R(i.Dst, false)} = be{i.Imm} {R(i.Dst, false)}",
            MOp.LoadImm64 => $"{R(i.Dst, false)} = {i.Imm} ll" + (i.Symbol is null ? "" : $"  ; {i.Relocation} {i.Symbol}"),
            MOp.FrameAddress => $"{R(i.Dst, false)} = r10 {(i.Off < 0 ? "-" : "+")} {Math.Abs((int)i.Off)}",
            MOp.Load => $"{R(i.Dst, false)} = *({Size(i.Size)} *){Mem(i.Src, i.Off)}",
            MOp.Store => $"*({Size(i.Size)} *){Mem(i.Dst, i.Off)} = {R(i.Src, false)}",
            MOp.StoreImm => $"*({Size(i.Size)} *){Mem(i.Dst, i.Off)} = {i.Imm}",
            MOp.Atomic => $"atomic {i.Atomic} *({Size(i.Size)} *){Mem(i.Dst, i.Off)}, {R(i.Src, i.Size == MemSize.W)}",
            MOp.Call => i.IsLocalCall || i.IsKfuncCall ? $"call {i.Symbol} ({i.ArgCount} args)" : $"call {i.Imm} ({i.ArgCount} args)",
            MOp.Exit => "exit",
            MOp.CondJump => $"if {R(i.Dst, i.Is32)} {CondSymbol(i.Cond)} {src} goto {i.Target}",
            MOp.Jump => $"goto {i.Target}",
            _ => i.Op.ToString(),
        };
    }

    static string AluSymbol(AluOp op) => op switch
    {
        AluOp.Add => "+=", AluOp.Sub => "-=", AluOp.Mul => "*=", AluOp.Div => "/=", AluOp.Or => "|=", AluOp.And => "&=",
        AluOp.Lsh => "<<=", AluOp.Rsh => ">>=", AluOp.Mod => "%=", AluOp.Xor => "^=", AluOp.Arsh => "s>>=", _ => op.ToString(),
    };

    static string CondSymbol(JumpOp op) => op switch
    {
        JumpOp.Jeq => "==", JumpOp.Jne => "!=", JumpOp.Jgt => ">", JumpOp.Jge => ">=", JumpOp.Jlt => "<", JumpOp.Jle => "<=",
        JumpOp.Jsgt => "s>", JumpOp.Jsge => "s>=", JumpOp.Jslt => "s<", JumpOp.Jsle => "s<=", JumpOp.Jset => "&", _ => op.ToString(),
    };
}
