using System.Buffers.Binary;

namespace Ebpf.Asm;

/// <summary>One eBPF instruction. <see cref="Constant"/> is the 32-bit imm, except for ld_imm64
/// (<see cref="IsWide"/>), where it is the whole 64-bit value spread over two 8-byte slots.</summary>
/// <remarks>Wire layout of a slot (little-endian): <c>op:8 | dst:4 src:4 | off:16 | imm:32</c>.</remarks>
public readonly record struct Instruction(byte OpCode, Register Dst, Register Src, short Offset, long Constant)
{
    public const int SlotSize = 8;

    public InstructionClass Class => OpCodes.Class(OpCode);
    public bool IsWide => OpCode == OpCodes.LdImm64;
    /// <summary>Number of 8-byte slots: 2 for ld_imm64, else 1. Jump offsets, func_info and line_info count slots.</summary>
    public int Slots => IsWide ? 2 : 1;
    public int Imm => (int)Constant;
    public bool IsExit => Class == InstructionClass.Jmp && OpCodes.Jump(OpCode) == JumpOp.Exit;
    public bool IsCall => Class == InstructionClass.Jmp && OpCodes.Jump(OpCode) == JumpOp.Call;
    /// <summary>A call to another BPF function in the same object (src = BPF_PSEUDO_CALL).</summary>
    public bool IsLocalCall => IsCall && Src == (Register)CallSource.Local;
    public bool IsKfuncCall => IsCall && Src == (Register)CallSource.Kfunc;
    /// <summary>A conditional or unconditional jump (not call/exit).</summary>
    public bool IsBranch => OpCodes.IsJump(OpCode) && OpCodes.Jump(OpCode) is not (JumpOp.Call or JumpOp.Exit);

    public Instruction WithOffset(short offset) => this with { Offset = offset };
    public Instruction WithConstant(long constant) => this with { Constant = constant };

    /// <summary>Writes the instruction's slots into <paramref name="dest"/> and returns the bytes written.</summary>
    public int Encode(Span<byte> dest)
    {
        dest[0] = OpCode;
        dest[1] = (byte)(((byte)Src << 4) | ((byte)Dst & 0x0f));
        BinaryPrimitives.WriteInt16LittleEndian(dest[2..], Offset);
        BinaryPrimitives.WriteInt32LittleEndian(dest[4..], (int)Constant);
        if (!IsWide) return SlotSize;
        dest[8..16].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(dest[12..], (int)(Constant >> 32));
        return 2 * SlotSize;
    }

    /// <summary>Decodes one instruction (two slots for ld_imm64) from the start of <paramref name="src"/>.</summary>
    public static Instruction Decode(ReadOnlySpan<byte> src, out int bytesRead)
    {
        if (src.Length < SlotSize) throw new FormatException("truncated instruction: fewer than 8 bytes left");
        byte op = src[0];
        var dst = (Register)(src[1] & 0x0f);
        var srcReg = (Register)(src[1] >> 4);
        short off = BinaryPrimitives.ReadInt16LittleEndian(src[2..]);
        long imm = BinaryPrimitives.ReadInt32LittleEndian(src[4..]);
        bytesRead = SlotSize;
        if (op == OpCodes.LdImm64)
        {
            if (src.Length < 2 * SlotSize) throw new FormatException("truncated ld_imm64: second slot missing");
            long hi = BinaryPrimitives.ReadInt32LittleEndian(src[12..]);
            imm = (long)(((ulong)(uint)imm) | ((ulong)hi << 32));
            bytesRead = 2 * SlotSize;
        }
        return new Instruction(op, dst, srcReg, off, imm);
    }

    public override string ToString() => InstructionFormatter.Format(this);
}

/// <summary>Encoding and decoding of instruction sequences.</summary>
public static class InstructionCodec
{
    public static int SlotCount(IEnumerable<Instruction> instructions) => instructions.Sum(i => i.Slots);

    public static byte[] Encode(IReadOnlyList<Instruction> instructions)
    {
        var bytes = new byte[SlotCount(instructions) * Instruction.SlotSize];
        int pos = 0;
        foreach (var insn in instructions) pos += insn.Encode(bytes.AsSpan(pos));
        return bytes;
    }

    public static List<Instruction> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Instruction.SlotSize != 0)
            throw new FormatException($"instruction bytes ({bytes.Length}) are not a multiple of 8");
        var list = new List<Instruction>(bytes.Length / Instruction.SlotSize);
        for (int pos = 0; pos < bytes.Length;)
        {
            list.Add(Instruction.Decode(bytes[pos..], out int n));
            pos += n;
        }
        return list;
    }
}
