using Ebpf.Compiler.IR;
using Ebpf.Compiler.Passes;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>Passes on hand-built IR: what each must do, and what it must not do to code the kernel
/// verifier has to follow.</summary>
public class PassTests
{
    static IrFunction Function(out IrBuilder b, params IrType[] parameters)
    {
        var f = new IrFunction("f", IrType.I64, isEntryProgram: false);
        for (int i = 0; i < parameters.Length; i++) f.AddParameter("p" + i, parameters[i]);
        b = new IrBuilder(f);
        return f;
    }

    static Constant I64(long v) => Constant.Int(IrType.I64, v);

    static void AssertValid(IrFunction f) => Assert.Empty(IrVerifier.Verify(f));

    [Fact]
    public void Promotion_places_phis_at_joins_and_loop_headers()
    {
        var f = Function(out var b, IrType.I64);
        var x = f.AddSlot("x", 8, 8);
        var header = f.AddBlock("loop");
        var body = f.AddBlock("body");
        var exit = f.AddBlock("exit");
        b.Store(b.FrameAddress(x), 0, f.Parameters[0], 8);
        b.Jump(header);
        b.Block = header;
        var v = b.Load(b.FrameAddress(x), 0, IrType.I64, 8);
        b.Branch(b.Compare(Predicate.ULt, v, I64(100)), body, exit);
        b.Block = body;
        b.Store(b.FrameAddress(x), 0, b.Binary(BinaryOp.Mul, b.Load(b.FrameAddress(x), 0, IrType.I64, 8), I64(2)), 8);
        b.Jump(header);
        b.Block = exit;
        b.Return(b.Load(b.FrameAddress(x), 0, IrType.I64, 8));

        Assert.True(new PromoteMemoryToRegisters().Run(f));
        AssertValid(f);
        Assert.Empty(f.Slots);
        Assert.DoesNotContain(f.Instructions, i => i is LoadInstruction or StoreInstruction);
        var phi = Assert.Single(f.Instructions.OfType<PhiInstruction>());
        Assert.Same(header, phi.Block);
        Assert.Same(f.Parameters[0], phi.IncomingFor(f.Entry));
    }

    [Fact]
    public void Promotion_keeps_the_stores_a_read_only_helper_argument_needs()
    {
        var f = Function(out var b, IrType.I32);
        var key = f.AddSlot("key", 4, 4);
        b.Store(b.FrameAddress(key), 0, f.Parameters[0], 4);
        var map = b.Emit(new MapHandleInstruction("m"));
        b.Emit(new HelperCallInstruction(1, "lookup", IrType.Pointer(PointerKind.MapValueOrNull), new Value[] { map, b.FrameAddress(key) }, readOnlyPointerArguments: 1u << 1));
        var reloaded = b.Load(b.FrameAddress(key), 0, IrType.I32, 4);
        b.Return(b.Convert(reloaded, IrType.I64, signed: false));

        Assert.True(new PromoteMemoryToRegisters().Run(f));
        AssertValid(f);
        Assert.Single(f.Instructions.OfType<StoreInstruction>());                 // the helper reads the key
        Assert.DoesNotContain(f.Instructions, i => i is LoadInstruction);        // the register has the value
    }

    [Fact]
    public void Variable_packet_offsets_are_never_reassociated()
    {
        // p = data + x; q = p + 8; the comparison is on q and the access through p: both must stay.
        var f = Function(out var b, IrType.Pointer(PointerKind.Packet), IrType.I64);
        var p = b.PointerAdd(f.Parameters[0], f.Parameters[1]);
        var q = b.PointerAdd(p, 8);
        var ok = f.AddBlock("ok");
        var fail = f.AddBlock("fail");
        b.Branch(b.Compare(Predicate.UGt, q, Constant.Null(IrType.Pointer(PointerKind.PacketEnd))), fail, ok);
        b.Block = ok;
        b.Return(b.Convert(b.Load(p, 2, IrType.I16, 2), IrType.I64, signed: false));
        b.Block = fail;
        b.Return(I64(0));

        new InstructionCombining().Run(f);
        new CommonSubexpressionElimination().Run(f);
        AssertValid(f);
        var adds = f.Instructions.OfType<PointerAddInstruction>().ToList();
        var variable = Assert.Single(adds, a => a.Offset is not Constant);
        Assert.Same(f.Parameters[0], variable.Pointer);
        Assert.Contains(adds, a => a.Pointer == variable && a.Offset is Constant { Signed: 8 });
        Assert.Same(variable, f.Instructions.OfType<LoadInstruction>().Single().Address);
    }

    [Fact]
    public void Constant_offsets_fold_into_context_loads()
    {
        var f = Function(out var b, IrType.Pointer(PointerKind.Context));
        var field = b.Emit(new PointerAddInstruction(f.Parameters[0], I64(16)));
        b.Return(b.Load(field, 8, IrType.I64, 8));

        Assert.True(new InstructionCombining().Run(f));
        new DeadCodeElimination().Run(f);
        AssertValid(f);
        var load = f.Instructions.OfType<LoadInstruction>().Single();
        Assert.Same(f.Parameters[0], load.Address);
        Assert.Equal(24, load.Offset);
        Assert.DoesNotContain(f.Instructions, i => i is PointerAddInstruction);
    }

    [Fact]
    public void Loads_are_not_shared_across_a_store()
    {
        var f = Function(out var b, IrType.Pointer(PointerKind.MapValue));
        var first = b.Load(f.Parameters[0], 0, IrType.I64, 8);
        var again = b.Load(f.Parameters[0], 0, IrType.I64, 8);
        b.Store(f.Parameters[0], 0, I64(5), 8);
        var after = b.Load(f.Parameters[0], 0, IrType.I64, 8);
        b.Return(b.Binary(BinaryOp.Add, b.Binary(BinaryOp.Add, first, again), after));

        Assert.True(new CommonSubexpressionElimination().Run(f));
        AssertValid(f);
        Assert.Equal(2, f.Instructions.OfType<LoadInstruction>().Count()); // `again` merged, `after` kept
    }

    [Fact]
    public void Loop_invariant_code_motion_leaves_packet_loads_under_their_check()
    {
        var f = Function(out var b, IrType.Pointer(PointerKind.Context), IrType.Pointer(PointerKind.Packet), IrType.I64);
        var header = f.AddBlock("loop");
        var body = f.AddBlock("body");
        var exit = f.AddBlock("exit");
        b.Jump(header);
        b.Block = header;
        var i = header.InsertPhi(new PhiInstruction(IrType.I64));
        b.Branch(b.Compare(Predicate.ULt, i, f.Parameters[2]), body, exit);
        b.Block = body;
        var contextField = b.Load(f.Parameters[0], 8, IrType.I64, 8);
        var packetByte = b.Load(f.Parameters[1], 0, IrType.I8, 1);
        var next = b.Binary(BinaryOp.Add, i, b.Binary(BinaryOp.Add, contextField, b.Convert(packetByte, IrType.I64, signed: false)));
        b.Jump(header);
        i.AddIncoming(f.Entry, I64(0));
        i.AddIncoming(body, next);
        b.Block = exit;
        b.Return(i);

        Assert.True(new LoopInvariantCodeMotion().Run(f));
        AssertValid(f);
        Assert.Same(f.Entry, ((Instruction)contextField).Block); // the context is always readable
        Assert.Same(body, ((Instruction)packetByte).Block);      // a packet read may need a check in the loop
    }

    [Fact]
    public void Loop_invariant_code_motion_makes_a_preheader_on_a_branch_into_the_loop_only_when_something_moves()
    {
        var f = Function(out var b, IrType.I64, IrType.I64);
        var header = f.AddBlock("loop");
        var exit = f.AddBlock("exit");
        b.Branch(b.Compare(Predicate.Ne, f.Parameters[0], I64(5)), header, exit);
        b.Block = header;
        var i = header.InsertPhi(new PhiInstruction(IrType.I64));
        var invariant = b.Binary(BinaryOp.Xor, f.Parameters[0], f.Parameters[1]);
        var next = b.Binary(BinaryOp.Add, i, invariant);
        b.Branch(b.Compare(Predicate.ULt, next, I64(64)), header, exit);
        i.AddIncoming(f.Entry, I64(0));
        i.AddIncoming(header, next);
        b.Block = exit;
        b.Return(I64(0));

        Assert.True(new LoopInvariantCodeMotion().Run(f));
        AssertValid(f);
        var preheader = ((Instruction)invariant).Block!;
        Assert.NotSame(header, preheader);
        Assert.Equal([f.Entry], preheader.Predecessors);
        Assert.Equal([header], preheader.Successors);
        Assert.Same(preheader, i.IncomingBlocks[0]);

        // Nothing left to move: no second preheader (SimplifyCfg would remove an empty one on every round).
        int blocks = f.Blocks.Count;
        Assert.False(new LoopInvariantCodeMotion().Run(f));
        Assert.Equal(blocks, f.Blocks.Count);
    }

    [Fact]
    public void Simplify_cfg_merges_identical_returns_and_threads_a_bool_phi()
    {
        var f = Function(out var b, IrType.I64);
        var t = f.AddBlock("t");
        var e = f.AddBlock("e");
        var join = f.AddBlock("join");
        var yes = f.AddBlock("yes");
        var no = f.AddBlock("no");
        var no2 = f.AddBlock("no2");
        b.Branch(b.Compare(Predicate.Eq, f.Parameters[0], I64(0)), t, e);
        b.Block = t; b.Jump(join);
        b.Block = e; b.Jump(join);
        var flag = join.InsertPhi(new PhiInstruction(IrType.I1));
        flag.AddIncoming(t, Constant.Bool(true));
        flag.AddIncoming(e, Constant.Bool(false));
        b.Block = join; b.Branch(flag, yes, no);
        b.Block = yes; b.Return(I64(1));
        b.Block = no; b.Branch(b.Compare(Predicate.Eq, f.Parameters[0], I64(7)), no2, yes);
        b.Block = no2; b.Return(I64(1));

        Assert.True(new SimplifyCfg().Run(f));
        AssertValid(f);
        Assert.DoesNotContain(f.Instructions, i => i is PhiInstruction);
        Assert.Single(f.Instructions.OfType<ReturnInstruction>()); // both `ret 1` merged
    }

    static HelperCallInstruction Call(IrBuilder b, int id, uint readOnly, params Value[] args)
        => b.Emit(new HelperCallInstruction(id, "h" + id, IrType.I64, args, readOnly));

    [Fact]
    public void Promotion_keeps_only_the_member_a_read_only_helper_gets_the_address_of()
    {
        var f = Function(out var b, IrType.I32, IrType.I32);
        var header = f.AddSlot("header", 8, 4);
        b.Store(b.FrameAddress(header), 0, f.Parameters[0], 4);
        b.Store(b.FrameAddress(header), 4, f.Parameters[1], 4);
        Call(b, 1, 1u << 0, b.PointerAdd(b.FrameAddress(header), 4));
        b.Return(b.Convert(b.Load(b.FrameAddress(header), 0, IrType.I32, 4), IrType.I64, signed: false));

        Assert.True(new PromoteMemoryToRegisters().Run(f));
        AssertValid(f);
        var store = Assert.Single(f.Instructions.OfType<StoreInstruction>());
        Assert.Equal(4, store.Offset);
        Assert.DoesNotContain(f.Instructions, i => i is LoadInstruction);
    }

    [Fact]
    public void Dead_store_elimination_lets_a_call_given_a_member_read_only_from_that_member_on()
    {
        var f = Function(out var b, IrType.I32, IrType.I32);
        var pair = f.AddSlot("pair", 8, 4);
        b.Store(b.FrameAddress(pair), 0, f.Parameters[0], 4);
        b.Store(b.FrameAddress(pair), 4, f.Parameters[1], 4);
        Call(b, 2, 0, b.PointerAdd(b.FrameAddress(pair), 4));
        b.Return(I64(0));

        Assert.True(new DeadStoreElimination().Run(f));
        AssertValid(f);
        Assert.Equal(4, Assert.Single(f.Instructions.OfType<StoreInstruction>()).Offset);
    }

    [Fact]
    public void Simplify_cfg_gives_blocks_that_return_the_same_constant_one_return_block()
    {
        var f = Function(out var b, IrType.I64);
        var left = f.AddBlock("left");
        var right = f.AddBlock("right");
        b.Branch(b.Compare(Predicate.Eq, f.Parameters[0], I64(0)), left, right);
        b.Block = left; Call(b, 5, 0); b.Return(I64(0));
        b.Block = right; Call(b, 7, 0); b.Return(I64(0));

        Assert.True(new SimplifyCfg().Run(f));
        AssertValid(f);
        var ret = Assert.Single(f.Instructions.OfType<ReturnInstruction>());
        Assert.Single(ret.Block!.Instructions);
        Assert.Equal(2, ret.Block.Predecessors.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Known_bits_bound_the_induction_variable_of_a_counted_loop_only_under_its_test(bool loopOnTrueEdge)
    {
        var f = Function(out var b);
        var header = f.AddBlock("header");
        var body = f.AddBlock("body");
        var exit = f.AddBlock("exit");
        b.Jump(header);
        var i = header.InsertPhi(new PhiInstruction(IrType.I32));
        b.Block = header;
        var test = b.Compare(Predicate.SLt, i, Constant.Int(IrType.I32, 16));
        if (loopOnTrueEdge) b.Branch(test, body, exit);
        else b.Branch(test, exit, body);   // `i < 16` leaves the loop: i may grow until it wraps
        b.Block = body;
        var next = b.Binary(BinaryOp.Add, i, Constant.Int(IrType.I32, 1));
        b.Jump(header);
        i.AddIncoming(f.Entry, Constant.Int(IrType.I32, 0));
        i.AddIncoming(body, next);
        b.Block = exit;
        b.Return(b.Convert(i, IrType.I64, signed: true));

        AssertValid(f);
        Assert.Equal(loopOnTrueEdge, KnownBits.IsNonNegative(i));
        if (loopOnTrueEdge) Assert.True(KnownBits.FitsUnsigned(i, 5));   // at most 16
    }

    [Fact]
    public void Stack_store_hoisting_writes_a_value_to_its_slot_before_a_later_call()
    {
        var f = Function(out var b, IrType.I32);
        var record = f.AddSlot("record", 8, 4);
        var value = b.Binary(BinaryOp.Add, f.Parameters[0], Constant.Int(IrType.I32, 1));
        var first = Call(b, 8, 0);
        b.Store(b.FrameAddress(record), 0, value, 4);
        b.Store(b.FrameAddress(record), 4, b.Convert(first, IrType.I32, signed: false), 4);
        Call(b, 130, 1u << 0, b.FrameAddress(record));
        b.Return(I64(0));

        Assert.True(new StackStoreHoisting().Run(f));
        AssertValid(f);
        var order = f.Entry.Instructions.ToList();
        var hoisted = order.OfType<StoreInstruction>().Single(s => s.Offset == 0);
        Assert.True(order.IndexOf(hoisted) < order.IndexOf(first), "the store of a value computed before the call comes before it");
        Assert.False(new StackStoreHoisting().Run(f));
    }
}
