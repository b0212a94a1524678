using Ebpf.Btf;

namespace Ebpf.Runtime;

/// <summary>Where usdt.bpf.h's <c>struct __bpf_usdt_spec</c> keeps each field, as one object's BPF code reads it.
/// libbpf 1.7 changed the layout to carry indexed (SIB) operands: <c>arg_type</c> became an 8-bit bit-field followed
/// by <c>idx_reg_off:12</c> and <c>scale_bitshift:4</c>, which pushed <c>reg_off</c> from byte 12 to 14 and each
/// argument spec from 16 to 24 bytes. An object built against either header can meet a runtime of either age, so the
/// layout is read from the object's own BTF of the map value, and only the classic one is assumed without BTF.</summary>
internal sealed record UsdtSpecLayout(
    int Size, int ArgumentCount, int ArgumentStride, UsdtSpecLayout.Field Cookie, UsdtSpecLayout.Field Count,
    UsdtSpecLayout.Field ValueOffset, UsdtSpecLayout.Field Kind, UsdtSpecLayout.Field RegisterOffset,
    UsdtSpecLayout.Field Signed, UsdtSpecLayout.Field BitShift, UsdtSpecLayout.Field? IndexRegisterOffset, UsdtSpecLayout.Field? ScaleShift)
{
    /// <summary>A field <see cref="Bits"/> wide at <see cref="BitOffset"/> from the start of its struct (x86-64 and BPF
    /// are little-endian, so bit-fields count from the least significant bit of the first byte).</summary>
    public readonly record struct Field(int BitOffset, int Bits)
    {
        public static Field Bytes(int offset, int size) => new(offset * 8, size * 8);

        public void Write(Span<byte> destination, long value)
        {
            if (BitOffset % 8 == 0 && Bits % 8 == 0)
            {
                for (int i = 0; i < Bits / 8; i++) destination[BitOffset / 8 + i] = (byte)(value >> (8 * i));
                return;
            }
            for (int bit = 0; bit < Bits; bit++)
            {
                int at = BitOffset + bit;
                byte mask = (byte)(1 << (at % 8));
                if (((value >> bit) & 1) != 0) destination[at / 8] |= mask;
                else destination[at / 8] &= (byte)~mask;
            }
        }
    }

    /// <summary>libbpf up to 1.6: <c>val_off</c> u64, <c>arg_type</c> a 32-bit enum, <c>reg_off</c> s16,
    /// <c>arg_signed</c>, <c>arg_bitshift</c> (16 bytes per argument); 12 arguments, then <c>usdt_cookie</c> and
    /// <c>arg_cnt</c>: 208 bytes. No indexed operands.</summary>
    public static readonly UsdtSpecLayout Classic = new(
        Size: 208, ArgumentCount: UsdtArguments.MaxCount, ArgumentStride: 16, Cookie: Field.Bytes(192, 8), Count: Field.Bytes(200, 2),
        ValueOffset: Field.Bytes(0, 8), Kind: Field.Bytes(8, 4), RegisterOffset: Field.Bytes(12, 2),
        Signed: Field.Bytes(14, 1), BitShift: Field.Bytes(15, 1), IndexRegisterOffset: null, ScaleShift: null);

    public bool HasIndexedOperands => IndexRegisterOffset is not null && ScaleShift is not null;

    /// <summary>The layout <paramref name="valueType"/> (the BTF of the <c>__bpf_usdt_specs</c> map's value) describes;
    /// a <see cref="LoadException"/> naming the member it lacks.</summary>
    public static UsdtSpecLayout FromBtf(BtfType valueType, string mapName)
    {
        LoadException Bad(string why) => new($"map '{mapName}': its value is not usdt.bpf.h's struct __bpf_usdt_spec: {why}");
        if (BtfLayout.SkipQualifiers(valueType) is not BtfStruct spec) throw Bad($"it is {valueType}, not a struct");
        BtfMember Member(BtfStruct s, string name) => s.Members.FirstOrDefault(m => m.Name == name)
            ?? throw Bad($"{(s == spec ? "it" : "its argument spec")} has no member '{name}'");

        var args = Member(spec, "args");
        if (BtfLayout.SkipQualifiers(args.Type) is not BtfArray { Element: var element } array
            || BtfLayout.SkipQualifiers(element) is not BtfStruct argument)
            throw Bad("'args' is not an array of structs");
        if (args.BitOffset != 0) throw Bad("'args' does not start the struct");

        Field FieldOf(BtfStruct s, string name)
        {
            var m = Member(s, name);
            int bits = m.BitFieldSize != 0 ? (int)m.BitFieldSize : (int)BtfLayout.SizeOf(m.Type) * 8;
            return new Field((int)m.BitOffset, bits);
        }
        Field? Optional(string name) => argument.Members.Any(m => m.Name == name) ? FieldOf(argument, name) : null;

        return new UsdtSpecLayout(
            Size: (int)spec.Size, ArgumentCount: (int)array.Count, ArgumentStride: (int)argument.Size,
            Cookie: FieldOf(spec, "usdt_cookie"), Count: FieldOf(spec, "arg_cnt"),
            ValueOffset: FieldOf(argument, "val_off"), Kind: FieldOf(argument, "arg_type"),
            RegisterOffset: FieldOf(argument, "reg_off"), Signed: FieldOf(argument, "arg_signed"),
            BitShift: FieldOf(argument, "arg_bitshift"),
            IndexRegisterOffset: Optional("idx_reg_off"), ScaleShift: Optional("scale_bitshift"));
    }

    /// <summary>The value of the <c>__bpf_usdt_specs</c> entry for <paramref name="arguments"/>: each argument's
    /// location, <c>arg_signed</c> and <c>arg_bitshift</c> (64 - 8 x size, the bits bpf_usdt_arg clears or
    /// sign-extends), then <c>usdt_cookie</c> and <c>arg_cnt</c>. An indexed operand on a layout without its fields is
    /// refused: the object's bpf_usdt_arg could not read it.</summary>
    public byte[] Encode(IReadOnlyList<UsdtArgument> arguments, ulong cookie)
    {
        if (arguments.Count > ArgumentCount)
            throw new NotSupportedException($"{arguments.Count} USDT arguments; the object's usdt.bpf.h holds {ArgumentCount}");
        var spec = new byte[Size];
        for (int i = 0; i < arguments.Count; i++)
        {
            var a = arguments[i];
            var slot = spec.AsSpan(i * ArgumentStride, ArgumentStride);
            ValueOffset.Write(slot, a.Offset);
            Kind.Write(slot, (long)a.Kind);
            RegisterOffset.Write(slot, a.RegisterOffset);
            Signed.Write(slot, a.Signed ? 1 : 0);
            BitShift.Write(slot, 64 - a.Size * 8);
            if (a.Kind != UsdtArgumentKind.IndexedDeref) continue;
            if (!HasIndexedOperands)
                throw new NotSupportedException($"argument {i} is an indexed memory operand (base, index, scale), which usdt.bpf.h reads from libbpf 1.7 on; this object was built with an older usdt.bpf.h (its struct __bpf_usdt_arg_spec has no idx_reg_off)");
            IndexRegisterOffset!.Value.Write(slot, a.IndexRegisterOffset);
            ScaleShift!.Value.Write(slot, a.ScaleShift);
        }
        Cookie.Write(spec, (long)cookie);
        Count.Write(spec, arguments.Count);
        return spec;
    }
}
