using Ebpf.Compiler.IR;
using Ebpf.Compiler.Passes;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>Passes on hand-built IR: what each must do, and what it must not do to code the kernel
/// verifier has to follow.</summary>
public class PassTests
{
    static IrFunction Function(out IrBuilder b, params IrType[] parameters)
    {
        var f = new IrFunction("f", null, IrType.I64, isEntryProgram: false);
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
}
