namespace Ebpf.Asm;

/// <summary>Constructors for every instruction form, named after their meaning.</summary>
public static class Insn
{
    static byte Op(InstructionClass c, byte op, OperandSource s = OperandSource.Imm) => (byte)((byte)c | op | (byte)s);

    // ALU
    public static Instruction Alu64(AluOp op, Register dst, Register src) => new(Op(InstructionClass.Alu64, (byte)op, OperandSource.Reg), dst, src, 0, 0);
    public static Instruction Alu64(AluOp op, Register dst, int imm) => new(Op(InstructionClass.Alu64, (byte)op), dst, Register.R0, 0, imm);
    public static Instruction Alu32(AluOp op, Register dst, Register src) => new(Op(InstructionClass.Alu, (byte)op, OperandSource.Reg), dst, src, 0, 0);
    public static Instruction Alu32(AluOp op, Register dst, int imm) => new(Op(InstructionClass.Alu, (byte)op), dst, Register.R0, 0, imm);
    public static Instruction Mov64(Register dst, Register src) => Alu64(AluOp.Mov, dst, src);
    public static Instruction Mov64(Register dst, int imm) => Alu64(AluOp.Mov, dst, imm);
    public static Instruction Mov32(Register dst, Register src) => Alu32(AluOp.Mov, dst, src);
    public static Instruction Mov32(Register dst, int imm) => Alu32(AluOp.Mov, dst, imm);
    /// <summary>Sign-extending register move (cpu v4, off = 8/16/32).</summary>
    public static Instruction MovSx64(Register dst, Register src, short bits) => new(Op(InstructionClass.Alu64, (byte)AluOp.Mov, OperandSource.Reg), dst, src, bits, 0);
    public static Instruction Neg64(Register dst) => new(Op(InstructionClass.Alu64, (byte)AluOp.Neg), dst, Register.R0, 0, 0);
    public static Instruction Neg32(Register dst) => new(Op(InstructionClass.Alu, (byte)AluOp.Neg), dst, Register.R0, 0, 0);
    /// <summary>Signed division or modulo (cpu v4: off = 1).</summary>
    public static Instruction SDiv64(AluOp op, Register dst, Register src) => Alu64(op, dst, src) with { Offset = 1 };
    /// <summary>Byte swap to big-endian (BPF_TO_BE) of the low 16/32/64 bits.</summary>
    public static Instruction ToBigEndian(Register dst, int bits) => new(Op(InstructionClass.Alu, (byte)AluOp.End, OperandSource.Reg), dst, Register.R0, 0, bits);
    /// <summary>Byte swap to little-endian (BPF_TO_LE): a zero-extension on this little-endian target.</summary>
    public static Instruction ToLittleEndian(Register dst, int bits) => new(Op(InstructionClass.Alu, (byte)AluOp.End, OperandSource.Imm), dst, Register.R0, 0, bits);

    // 64-bit immediates
    public static Instruction LoadImm64(Register dst, long value) => new(OpCodes.LdImm64, dst, Register.R0, 0, value);
    /// <summary>ld_imm64 with a pseudo source: the loader patches imm with a map fd / value address.</summary>
    public static Instruction LoadPseudo(Register dst, PseudoSource src, long value = 0) => new(OpCodes.LdImm64, dst, (Register)(byte)src, 0, value);

    // Memory
    public static Instruction Load(MemSize size, Register dst, Register src, short off) => new((byte)((byte)InstructionClass.Ldx | (byte)MemMode.Mem | (byte)size), dst, src, off, 0);
    public static Instruction Store(MemSize size, Register dst, short off, Register src) => new((byte)((byte)InstructionClass.Stx | (byte)MemMode.Mem | (byte)size), dst, src, off, 0);
    public static Instruction StoreImm(MemSize size, Register dst, short off, int imm) => new((byte)((byte)InstructionClass.St | (byte)MemMode.Mem | (byte)size), dst, Register.R0, off, imm);
    /// <summary>Atomic read-modify-write on <c>*(size*)(dst + off)</c> with <paramref name="src"/>; size is W or DW.</summary>
    public static Instruction Atomic(MemSize size, AtomicOp op, Register dst, short off, Register src) => new((byte)((byte)InstructionClass.Stx | (byte)MemMode.Atomic | (byte)size), dst, src, off, (int)op);

    // Jumps (offsets in slots, relative to the next instruction; the builder fills them from labels)
    public static Instruction Jump(JumpOp op, Register dst, Register src, short off = 0) => new(Op(InstructionClass.Jmp, (byte)op, OperandSource.Reg), dst, src, off, 0);
    public static Instruction Jump(JumpOp op, Register dst, int imm, short off = 0) => new(Op(InstructionClass.Jmp, (byte)op), dst, Register.R0, off, imm);
    public static Instruction Jump32(JumpOp op, Register dst, Register src, short off = 0) => new(Op(InstructionClass.Jmp32, (byte)op, OperandSource.Reg), dst, src, off, 0);
    public static Instruction Jump32(JumpOp op, Register dst, int imm, short off = 0) => new(Op(InstructionClass.Jmp32, (byte)op), dst, Register.R0, off, imm);
    public static Instruction Ja(short off = 0) => new(Op(InstructionClass.Jmp, (byte)JumpOp.Ja), Register.R0, Register.R0, off, 0);
    public static Instruction CallHelper(int helperId) => new(Op(InstructionClass.Jmp, (byte)JumpOp.Call), Register.R0, Register.R0, 0, helperId);
    /// <summary>BPF-to-BPF call (src = BPF_PSEUDO_CALL); imm is the slot offset to the callee minus one, patched by relocation.</summary>
    public static Instruction CallLocal(int imm = -1) => new(Op(InstructionClass.Jmp, (byte)JumpOp.Call), Register.R0, Register.R1, 0, imm);
    /// <summary>A kfunc call (BPF_PSEUDO_KFUNC_CALL); imm, the function's kernel BTF id, is the loader's to write.</summary>
    public static Instruction CallKfunc(int btfId = 0) => new(Op(InstructionClass.Jmp, (byte)JumpOp.Call), Register.R0, (Register)CallSource.Kfunc, 0, btfId);
    public static Instruction Exit() => new(Op(InstructionClass.Jmp, (byte)JumpOp.Exit), Register.R0, Register.R0, 0, 0);
}
