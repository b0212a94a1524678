namespace Ebpf.Asm;

// The opcode byte of an instruction. Its layout depends on the class (low 3 bits):
//
//   ALU / ALU64 / JMP / JMP32:     LD / LDX / ST / STX:
//   +--------+----+-------+        +------+------+-------+
//   | op (4) | S  | class |        | mode | size | class |
//   +--------+----+-------+        |  (3) |  (2) |  (3)  |
//     7    4   3    2   0          +------+------+-------+
//                                    7  5   4  3   2   0
//   S = 0: the operand is imm (K), S = 1: the operand is src (X).

/// <summary>Instruction class: the low three bits of the opcode.</summary>
public enum InstructionClass : byte
{
    Ld = 0x00, Ldx = 0x01, St = 0x02, Stx = 0x03, Alu = 0x04, Jmp = 0x05, Jmp32 = 0x06, Alu64 = 0x07,
}

/// <summary>Arithmetic operation (high four bits of an ALU/ALU64 opcode).</summary>
public enum AluOp : byte
{
    Add = 0x00, Sub = 0x10, Mul = 0x20, Div = 0x30, Or = 0x40, And = 0x50, Lsh = 0x60, Rsh = 0x70,
    Neg = 0x80, Mod = 0x90, Xor = 0xa0, Mov = 0xb0, Arsh = 0xc0, End = 0xd0,
}

/// <summary>Jump operation (high four bits of a JMP/JMP32 opcode).</summary>
public enum JumpOp : byte
{
    Ja = 0x00, Jeq = 0x10, Jgt = 0x20, Jge = 0x30, Jset = 0x40, Jne = 0x50, Jsgt = 0x60, Jsge = 0x70,
    Call = 0x80, Exit = 0x90, Jlt = 0xa0, Jle = 0xb0, Jslt = 0xc0, Jsle = 0xd0,
}

/// <summary>Operand source bit: immediate (K) or source register (X).</summary>
public enum OperandSource : byte { Imm = 0x00, Reg = 0x08 }

/// <summary>Access size of a load or store.</summary>
public enum MemSize : byte { W = 0x00, H = 0x08, B = 0x10, DW = 0x18 }

/// <summary>Addressing mode of a load or store.</summary>
public enum MemMode : byte { Imm = 0x00, Abs = 0x20, Ind = 0x40, Mem = 0x60, MemSx = 0x80, Atomic = 0xc0 }

/// <summary>Atomic operation selected by the imm field of a STX|ATOMIC instruction.</summary>
public enum AtomicOp : int
{
    Add = 0x00, Or = 0x40, And = 0x50, Xor = 0xa0,
    FetchAdd = 0x01, FetchOr = 0x41, FetchAnd = 0x51, FetchXor = 0xa1,
    Xchg = 0xe1, CmpXchg = 0xf1,
}

/// <summary>Pseudo source register values of ld_imm64 (BPF_PSEUDO_*), telling the kernel how to read imm.</summary>
public enum PseudoSource : byte
{
    None = 0, MapFd = 1, MapValue = 2, BtfId = 3, Func = 4, MapIdx = 5, MapIdxValue = 6,
}

/// <summary>The src_reg of a call instruction: what imm names.</summary>
public enum CallSource : byte
{
    /// <summary>imm is a helper id.</summary>
    Helper = 0,
    /// <summary>BPF_PSEUDO_CALL: imm is the relative offset of a BPF-to-BPF callee.</summary>
    Local = 1,
    /// <summary>BPF_PSEUDO_KFUNC_CALL: imm is the kernel function's BTF id, offset the fd_array index of its module's BTF (0: vmlinux).</summary>
    Kfunc = 2,
}

/// <summary>Helpers to take an opcode byte apart.</summary>
public static class OpCodes
{
    public static InstructionClass Class(byte op) => (InstructionClass)(op & 0x07);
    public static bool IsAlu(byte op) => Class(op) is InstructionClass.Alu or InstructionClass.Alu64;
    public static bool IsJump(byte op) => Class(op) is InstructionClass.Jmp or InstructionClass.Jmp32;
    public static AluOp Alu(byte op) => (AluOp)(op & 0xf0);
    public static JumpOp Jump(byte op) => (JumpOp)(op & 0xf0);
    public static OperandSource Source(byte op) => (OperandSource)(op & 0x08);
    public static MemSize Size(byte op) => (MemSize)(op & 0x18);
    public static MemMode Mode(byte op) => (MemMode)(op & 0xe0);
    public static int SizeInBytes(MemSize size) => size switch
    {
        MemSize.B => 1, MemSize.H => 2, MemSize.W => 4, MemSize.DW => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };
    public static MemSize SizeFromBytes(int bytes) => bytes switch
    {
        1 => MemSize.B, 2 => MemSize.H, 4 => MemSize.W, 8 => MemSize.DW,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "access size must be 1, 2, 4 or 8"),
    };
    /// <summary>The ld_imm64 opcode (LD | IMM | DW), the only instruction that takes two slots.</summary>
    public const byte LdImm64 = (byte)InstructionClass.Ld | (byte)MemMode.Imm | (byte)MemSize.DW;
}
