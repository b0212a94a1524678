using Ebpf.Asm;
using Ebpf.Btf.Core;

namespace Ebpf.Btf.Tests.Core;

/// <summary>The CO-RE engine on hand-built BTF: a local view of <c>task</c> (what a program was compiled against)
/// relocated to a target BTF that lays it out differently, one test per relocation kind, plus poisoning, flavors,
/// anonymous members, arrays, resizing and ambiguity.</summary>
public class CoreRelocatorTests
{
    static readonly BtfInt Int = new("int", 4, isSigned: true);
    static readonly BtfInt UInt = new("unsigned int", 4, isSigned: false);
    static readonly BtfInt U16 = new("unsigned short", 2, isSigned: false);
    static readonly BtfInt U64 = new("unsigned long long", 8, isSigned: false);
    static readonly BtfInt S64 = new("long long", 8, isSigned: true);

    /// <summary>Local: struct task { int pid; int tgid; struct task *parent; unsigned flag:1; unsigned prio:3; int cpus[4]; int gone; short_size u16; }</summary>
    sealed class Local
    {
        public readonly BtfStruct Task = new("task", 40);
        public readonly BtfEnum State = new("state", 4, isSigned: false, [new("RUNNING", 0), new("SLEEPING", 1), new("ZOMBIE", 4)]);
        public readonly BtfSpec Spec;
        public Local()
        {
            Task.Members.Add(new("pid", Int, 0));
            Task.Members.Add(new("tgid", Int, 32));
            Task.Members.Add(new("parent", new BtfPointer(Task), 64));
            Task.Members.Add(new("flag", UInt, 128, 1));
            Task.Members.Add(new("prio", UInt, 129, 3));
            Task.Members.Add(new("cpus", new BtfArray(Int, 4), 160));
            Task.Members.Add(new("gone", Int, 288));
            Task.Members.Add(new("small", U16, 320));
            Task.Members.Add(new("counter", Int, 352));
            var b = new BtfBuilder();
            b.Add(Task);
            b.Add(State);
            Spec = b.Build();
        }
        public BtfCoreRelocation Relo(int slot, string access, BtfCoreRelocationKind kind, BtfType? type = null) => new(slot, type ?? Task, access, kind);
    }

    /// <summary>Target: task with the same fields moved, 'gone' missing, tgid inside an anonymous struct, flag/prio in
    /// the middle of a word, 'small' widened to 8 bytes (unsigned: a safe resize), counter widened signed (unsafe).</summary>
    sealed class Target
    {
        public readonly BtfStruct Task = new("task", 96);
        public readonly BtfEnum State = new("state", 4, isSigned: false, [new("SLEEPING", 10), new("RUNNING", 20)]);
        public readonly BtfSpec Spec;
        public readonly CoreTarget Core;
        public Target()
        {
            var inner = new BtfStruct(null, 8);
            inner.Members.Add(new("pad", Int, 0));
            inner.Members.Add(new("tgid", Int, 32));
            Task.Members.Add(new("state", Int, 0));
            Task.Members.Add(new("pid", Int, 32));
            Task.Members.Add(new(null, inner, 64));
            Task.Members.Add(new("parent", new BtfPointer(Task), 128));
            Task.Members.Add(new("flag", UInt, 205, 1));
            Task.Members.Add(new("prio", UInt, 206, 3));
            Task.Members.Add(new("cpus", new BtfArray(Int, 8), 256));
            Task.Members.Add(new("small", U64, 512));
            Task.Members.Add(new("counter", S64, 576));
            var b = new BtfBuilder();
            b.Add(new BtfStruct("unrelated", 4));
            b.Add(Task);
            b.Add(State);
            Spec = b.Build();
            Core = CoreTarget.Of(Spec);
        }
    }

    static CoreFixup One(Local local, Target target, BtfCoreRelocation relo)
        => Assert.Single(CoreRelocator.ComputeFixups("prog", [relo], local.Spec, target.Core));

    [Fact]
    public void Field_byte_offset_follows_the_member_by_name_through_anonymous_structs()
    {
        var l = new Local(); var t = new Target();
        var f = One(l, t, l.Relo(0, "0:1", BtfCoreRelocationKind.FieldByteOffset));
        Assert.Equal((4ul, 12ul), (f.LocalValue, f.TargetValue));   // 64/8 + 32/8 inside the anonymous struct
        Assert.False(f.Poison);
        Assert.True(f.Validate);
        Assert.Equal("task.tgid", f.Site.AccessPath);
        Assert.Contains("[2] struct task", f.Target);
    }

    [Fact]
    public void Field_byte_offset_of_an_array_element()
    {
        var l = new Local(); var t = new Target();
        var f = One(l, t, l.Relo(0, "0:5:2", BtfCoreRelocationKind.FieldByteOffset));
        Assert.Equal((20ul + 8, 32ul + 8), (f.LocalValue, f.TargetValue));
        Assert.Equal("task.cpus[2]", f.Site.AccessPath);
    }

    [Fact]
    public void Array_index_past_the_target_length_does_not_match()
    {
        var l = new Local(); var t = new Target();
        // Local cpus has 4 elements, so index 3 is valid locally and in the 8-element target.
        Assert.False(One(l, t, l.Relo(0, "0:5:3", BtfCoreRelocationKind.FieldByteOffset)).Poison);
        var invalid = Assert.Throws<CoreRelocationException>(() => One(l, t, l.Relo(0, "0:5:4", BtfCoreRelocationKind.FieldByteOffset)));
        Assert.Contains("array index 4 is past the 4 elements", invalid.Message);
    }

    [Fact]
    public void Field_exists_is_1_when_found_and_0_when_missing()
    {
        var l = new Local(); var t = new Target();
        Assert.Equal(1ul, One(l, t, l.Relo(0, "0:2", BtfCoreRelocationKind.FieldExists)).TargetValue);
        var missing = One(l, t, l.Relo(0, "0:6", BtfCoreRelocationKind.FieldExists));
        Assert.Equal((1ul, 0ul, false), (missing.LocalValue, missing.TargetValue, missing.Poison));
        Assert.Contains("task.gone", missing.Reason);
    }

    [Fact]
    public void Field_byte_size_and_signedness()
    {
        var l = new Local(); var t = new Target();
        Assert.Equal((2ul, 8ul), Values(One(l, t, l.Relo(0, "0:7", BtfCoreRelocationKind.FieldByteSize))));
        Assert.Equal((1ul, 1ul), Values(One(l, t, l.Relo(0, "0:1", BtfCoreRelocationKind.FieldSigned))));
        Assert.Equal((0ul, 0ul), Values(One(l, t, l.Relo(0, "0:7", BtfCoreRelocationKind.FieldSigned))));
    }

    static (ulong, ulong) Values(CoreFixup f) => (f.LocalValue, f.TargetValue);

    [Fact]
    public void Bitfield_offset_size_and_shifts_give_the_smallest_aligned_load()
    {
        var l = new Local(); var t = new Target();
        // Target prio: bits 206..208, i.e. byte 25 bits 6..8, which straddles bytes 25 and 26: the 4-byte load at 24
        // holds it (bit 14..16 of that word).
        var off = One(l, t, l.Relo(0, "0:4", BtfCoreRelocationKind.FieldByteOffset));
        var size = One(l, t, l.Relo(0, "0:4", BtfCoreRelocationKind.FieldByteSize));
        var lshift = One(l, t, l.Relo(0, "0:4", BtfCoreRelocationKind.FieldLShiftU64));
        var rshift = One(l, t, l.Relo(0, "0:4", BtfCoreRelocationKind.FieldRShiftU64));
        Assert.Equal((16ul, 24ul), Values(off));
        Assert.Equal((4ul, 4ul), Values(size));
        Assert.Equal((64ul - (129 + 3 - 128), 64ul - (206 + 3 - 192)), Values(lshift));
        Assert.Equal((61ul, 61ul), Values(rshift));
        Assert.False(off.Validate);      // the compiler may place a bitfield load differently
        Assert.True(rshift.Validate);    // the right shift depends only on the width
    }

    [Fact]
    public void A_missing_field_poisons_its_access_and_explains_why()
    {
        var l = new Local(); var t = new Target();
        var f = One(l, t, l.Relo(3, "0:6", BtfCoreRelocationKind.FieldByteOffset));
        Assert.True(f.Poison);
        Assert.Contains("program 'prog'", f.ToString());
        Assert.Contains("task.gone", f.ToString());
        Assert.Contains("poisoned", f.ToString());
    }

    [Fact]
    public void Type_relocations_exist_size_and_ids()
    {
        var l = new Local(); var t = new Target();
        Assert.Equal((1ul, 1ul), Values(One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.TypeExists))));
        Assert.Equal((40ul, 96ul), Values(One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.TypeSize))));
        var targetId = One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.TypeIdTarget));
        Assert.Equal((ulong)t.Spec.IdOf(t.Task), targetId.TargetValue);
        Assert.False(targetId.Validate);
        var localId = One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.TypeIdLocal));
        Assert.Equal(((ulong)l.Spec.IdOf(l.Task), (ulong)l.Spec.IdOf(l.Task)), Values(localId));

        var lonely = new BtfStruct("not_in_target", 4);
        var b = new BtfBuilder(); b.Add(lonely); var spec = b.Build();
        var none = Assert.Single(CoreRelocator.ComputeFixups("p", [new BtfCoreRelocation(0, lonely, "0", BtfCoreRelocationKind.TypeExists)], spec, t.Core));
        Assert.Equal((1ul, 0ul, false), (none.LocalValue, none.TargetValue, none.Poison));
        Assert.Contains("vmlinux has no struct not_in_target", none.Reason);
    }

    [Fact]
    public void Type_matches_is_stricter_than_exists()
    {
        var l = new Local(); var t = new Target();
        // Same name, but the local struct has 'gone', which the target lacks: the type exists but does not match.
        Assert.Equal(1ul, One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.TypeExists)).TargetValue);
        Assert.Equal(0ul, One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.TypeMatches)).TargetValue);

        var small = new BtfStruct("task", 8);
        small.Members.Add(new("pid", Int, 0));
        small.Members.Add(new("parent", new BtfPointer(small), 64));
        var b = new BtfBuilder(); b.Add(small); var spec = b.Build();
        var f = Assert.Single(CoreRelocator.ComputeFixups("p", [new BtfCoreRelocation(0, small, "0", BtfCoreRelocationKind.TypeMatches)], spec, t.Core));
        Assert.Equal(1ul, f.TargetValue);
    }

    [Fact]
    public void Enum_value_and_existence_by_enumerator_name()
    {
        var l = new Local(); var t = new Target();
        Assert.Equal((0ul, 20ul), Values(One(l, t, l.Relo(0, "0", BtfCoreRelocationKind.EnumValue, l.State))));
        Assert.Equal((1ul, 10ul), Values(One(l, t, l.Relo(0, "1", BtfCoreRelocationKind.EnumValue, l.State))));
        Assert.Equal((1ul, 0ul), Values(One(l, t, l.Relo(0, "2", BtfCoreRelocationKind.EnumValueExists, l.State))));
        var zombie = One(l, t, l.Relo(0, "2", BtfCoreRelocationKind.EnumValue, l.State));
        Assert.True(zombie.Poison);
        Assert.Equal("state::ZOMBIE", zombie.Site.AccessPath);
    }

    [Fact]
    public void Flavored_local_types_find_their_target_by_essential_name()
    {
        var t = new Target();
        var flavored = new BtfStruct("task___v2", 8);
        flavored.Members.Add(new("pid", Int, 0));
        flavored.Members.Add(new("tgid", Int, 32));
        var b = new BtfBuilder(); b.Add(flavored); var spec = b.Build();
        var f = Assert.Single(CoreRelocator.ComputeFixups("p", [new BtfCoreRelocation(0, flavored, "0:1", BtfCoreRelocationKind.FieldByteOffset)], spec, t.Core));
        Assert.Equal((4ul, 12ul), Values(f));
        Assert.Equal("task", CoreNames.Essential("task___v2"));
        Assert.Equal("a___b", CoreNames.Essential("a___b___c"));
        Assert.Equal("__x___", CoreNames.Essential("__x___"));
    }

    [Fact]
    public void Candidates_that_disagree_are_an_error()
    {
        var l = new Local();
        var a = new BtfStruct("task___a", 8); a.Members.Add(new("tgid", Int, 0));
        var c = new BtfStruct("task___b", 8); c.Members.Add(new("tgid", Int, 32));
        var b = new BtfBuilder(); b.Add(a); b.Add(c);
        var target = CoreTarget.Of(b.Build());
        var e = Assert.Throws<CoreRelocationException>(() => CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:1", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, target));
        Assert.Contains("ambiguity", e.Message);
        Assert.Contains("task.tgid", e.Message);
    }

    [Fact]
    public void A_field_of_incompatible_kind_does_not_match()
    {
        var l = new Local();
        var task = new BtfStruct("task", 8); task.Members.Add(new("parent", Int, 0));   // an int, not a pointer
        var b = new BtfBuilder(); b.Add(task);
        var f = One(l, new Target(), l.Relo(0, "0:2", BtfCoreRelocationKind.FieldByteOffset));
        Assert.False(f.Poison);
        var g = Assert.Single(CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:2", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, CoreTarget.Of(b.Build())));
        Assert.True(g.Poison);
    }

    [Fact]
    public void Malformed_access_strings_are_rejected_with_the_site()
    {
        var l = new Local(); var t = new Target();
        var lines = new[] { new BtfLineInfo(0, "/src/probe.bpf.c", "  x = task->pid;", 12, 3) };
        var e = Assert.Throws<CoreRelocationException>(() =>
            CoreRelocator.ComputeFixups("prog", [l.Relo(2, "0:99", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, t.Core, lines));
        Assert.Contains("program 'prog', probe.bpf.c:12 (x = task->pid;)", e.Message);
        Assert.Contains("member index 99", e.Message);
        Assert.Throws<CoreRelocationException>(() => One(l, t, l.Relo(0, "0:1", BtfCoreRelocationKind.TypeSize)));
        Assert.Throws<CoreRelocationException>(() => One(l, t, l.Relo(0, "x", BtfCoreRelocationKind.FieldExists)));
    }

    // ---- patching ----

    static readonly Instruction AddImm = new((byte)InstructionClass.Alu64 | (byte)AluOp.Add, Register.R1, Register.R0, 0, 4);
    static readonly Instruction LoadW = new((byte)InstructionClass.Ldx | (byte)MemMode.Mem | (byte)MemSize.W, Register.R0, Register.R1, 4, 0);
    static readonly Instruction LoadH = new((byte)InstructionClass.Ldx | (byte)MemMode.Mem | (byte)MemSize.H, Register.R0, Register.R1, 40, 0);
    static readonly Instruction Exit = new((byte)InstructionClass.Jmp | (byte)JumpOp.Exit, Register.R0, Register.R0, 0, 0);

    [Fact]
    public void Patching_rewrites_alu_immediates_and_load_offsets()
    {
        var l = new Local(); var t = new Target();
        var fixups = CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:1", BtfCoreRelocationKind.FieldByteOffset), l.Relo(1, "0:1", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, t.Core);
        var patched = CoreInstructionPatcher.Apply([AddImm, LoadW, Exit], fixups);
        Assert.Equal(12, patched[0].Imm);
        Assert.Equal(12, patched[1].Offset);
        Assert.Equal(Exit, patched[2]);
    }

    [Fact]
    public void Patching_widens_a_load_of_an_unsigned_field_and_poisons_a_signed_resize()
    {
        var l = new Local(); var t = new Target();
        var small = CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:7", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, t.Core);
        var widened = CoreInstructionPatcher.Apply([LoadH, Exit], small)[0];
        Assert.Equal(MemSize.DW, OpCodes.Size(widened.OpCode));
        Assert.Equal(64, widened.Offset);

        var counter = CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:8", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, t.Core);
        Assert.True(counter[0].UnsafeResize);
        var load = LoadW with { Offset = 44 };
        Assert.Equal(CoreInstructionPatcher.Poison, CoreInstructionPatcher.Apply([load, Exit], counter)[0]);
        // An ALU use of the same offset is not a load: the new offset is fine there.
        Assert.Equal(72, CoreInstructionPatcher.Apply([AddImm with { Constant = 44 }, Exit], counter)[0].Imm);
    }

    [Fact]
    public void Poisoning_makes_the_instruction_a_call_to_helper_0xbad2310_and_keeps_ld_imm64_two_slots()
    {
        var l = new Local(); var t = new Target();
        var ldImm64 = new Instruction(OpCodes.LdImm64, Register.R1, Register.R0, 0, 4);
        var fixups = CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:6", BtfCoreRelocationKind.FieldByteOffset), l.Relo(1, "2", BtfCoreRelocationKind.EnumValue, l.State)], l.Spec, t.Core);
        var patched = CoreInstructionPatcher.Apply([LoadW with { Offset = 36 }, ldImm64, Exit], fixups);
        Assert.Equal(4, patched.Count);
        Assert.Equal(InstructionCodec.SlotCount([LoadW, ldImm64, Exit]), InstructionCodec.SlotCount(patched));
        Assert.All(patched.Take(3), i => Assert.Equal(CoreInstructionPatcher.Poison, i));
        Assert.Equal(0xbad2310, CoreInstructionPatcher.Poison.Imm);
        Assert.True(CoreInstructionPatcher.Poison.IsCall);
        Assert.Equal(Exit, patched[3]);
    }

    [Fact]
    public void Patching_ld_imm64_sets_the_64_bit_value()
    {
        var l = new Local(); var t = new Target();
        var fixups = CoreRelocator.ComputeFixups("p", [l.Relo(0, "0", BtfCoreRelocationKind.EnumValue, l.State)], l.Spec, t.Core);
        var patched = CoreInstructionPatcher.Apply([new Instruction(OpCodes.LdImm64, Register.R1, Register.R0, 0, 0), Exit], fixups);
        Assert.Equal(20, patched[0].Constant);
    }

    [Fact]
    public void Patching_checks_the_instruction_holds_the_compilers_value()
    {
        var l = new Local(); var t = new Target();
        var fixups = CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:1", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, t.Core);
        var e = Assert.Throws<CoreRelocationException>(() => CoreInstructionPatcher.Apply([AddImm with { Constant = 8 }, Exit], fixups));
        Assert.Contains("has imm 8, expected 4", e.Message);
        var jump = Assert.Throws<CoreRelocationException>(() => CoreInstructionPatcher.Apply([Exit], fixups));
        Assert.Contains("jump", jump.Message);
        var mid = Assert.Throws<CoreRelocationException>(() => CoreInstructionPatcher.Apply([new Instruction(OpCodes.LdImm64, Register.R1, Register.R0, 0, 4)],
            CoreRelocator.ComputeFixups("p", [l.Relo(1, "0:1", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, t.Core)));
        Assert.Contains("not the start of an instruction", mid.Message);
    }

    [Fact]
    public void Module_types_are_searched_only_when_vmlinux_has_no_candidate()
    {
        var l = new Local();
        var vmlinux = new BtfBuilder(); vmlinux.Add(new BtfStruct("other", 4)); vmlinux.Add(Int);
        var baseSpec = vmlinux.Build();
        var moduleTask = new BtfStruct("task", 16);
        moduleTask.Members.Add(new("tgid", Int, 96));
        // Split BTF: encode the module's types as a blob whose ids follow the base's (built here by hand).
        var split = SplitBtf.Encode(baseSpec, moduleTask);
        var moduleSpec = BtfSpec.ParseSplit(split, baseSpec);
        Assert.Equal(baseSpec.Types.Count + 1, moduleSpec.Types.Count);
        Assert.Same(baseSpec.Types[1], moduleSpec.Types[1]);
        var parsedTask = Assert.IsType<BtfStruct>(moduleSpec.Types[^1]);
        Assert.Equal("task", parsedTask.Name);
        Assert.Same(moduleSpec.FindType<BtfInt>("int"), parsedTask.Members[0].Type);

        var target = new CoreTarget(new CoreTargetBtf("vmlinux", baseSpec), [new CoreTargetBtf("mymod", moduleSpec, baseSpec.Types.Count)]);
        var f = Assert.Single(CoreRelocator.ComputeFixups("p", [l.Relo(0, "0:1", BtfCoreRelocationKind.FieldByteOffset)], l.Spec, target));
        Assert.Equal(12ul, f.TargetValue);
        Assert.StartsWith($"mymod [{baseSpec.Types.Count}] struct task", f.Target);
    }
}

/// <summary>libbpf's field compatibility for enums: named ones by essential name, an anonymous one with any.</summary>
public class CoreFieldCompatibilityTests
{
    static CoreFixup Offset(BtfType localField, BtfType targetField)
    {
        var local = new BtfStruct("s", 8); local.Members.Add(new("f", localField, 0));
        var target = new BtfStruct("s", 8); target.Members.Add(new("x", new BtfInt("int", 4, true), 0)); target.Members.Add(new("f", targetField, 32));
        var lb = new BtfBuilder(); lb.Add(local);
        var tb = new BtfBuilder(); tb.Add(target);
        return Assert.Single(CoreRelocator.ComputeFixups("p", [new BtfCoreRelocation(0, local, "0:0", BtfCoreRelocationKind.FieldByteOffset)], lb.Build(), CoreTarget.Of(tb.Build())));
    }

    static BtfEnum Enum(string? name) => new(name, 4, false, [new("A", 0)]);

    [Fact]
    public void Enum_fields_match_by_essential_name_or_when_either_is_anonymous()
    {
        Assert.Equal(4ul, Offset(Enum("mode___old"), Enum("mode")).TargetValue);
        Assert.Equal(4ul, Offset(Enum(null), Enum("mode")).TargetValue);
        Assert.Equal(4ul, Offset(Enum("mode"), Enum(null)).TargetValue);
        Assert.True(Offset(Enum("mode"), Enum("state")).Poison);
        Assert.True(Offset(Enum("mode"), new BtfPointer(BtfVoid.Instance)).Poison);
        Assert.Equal(4ul, Offset(new BtfPointer(new BtfInt("int", 4, true)), new BtfPointer(BtfVoid.Instance)).TargetValue);
    }
}
