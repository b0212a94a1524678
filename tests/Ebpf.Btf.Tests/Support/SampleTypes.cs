namespace Ebpf.Btf.Tests.Support;

/// <summary>A graph using every kind the builder encodes, with a cycle through a struct.</summary>
public sealed class SampleTypes
{
    public BtfInt Int { get; } = new("int", 4, isSigned: true);
    public BtfInt U32 { get; } = new("unsigned int", 4, isSigned: false);
    public BtfInt Char { get; } = new("char", 1, isSigned: false, isChar: true);
    public BtfInt Bool { get; } = new("_Bool", 1, isSigned: false, isBool: true);
    public BtfStruct Node { get; } = new("node", 40);
    public BtfStruct Bits { get; } = new("bits", 8);
    public BtfStruct Union { get; } = new("u", 4, isUnion: true);
    public BtfEnum Enum { get; }
    public BtfEnum Enum64 { get; }
    public BtfForward Fwd { get; } = new("opaque", isUnion: true);
    public BtfTypedef Typedef { get; }
    public BtfFuncProto Proto { get; }
    public BtfFunc Func { get; }
    public BtfVar Var { get; }
    public BtfDatasec Datasec { get; }
    public BtfFloat Float { get; } = new("double", 8);
    public BtfTag DeclTag { get; }
    public BtfTag TypeTag { get; }
    public BtfArray Array { get; }

    public SampleTypes()
    {
        var cv = new BtfQualifier(BtfQualifierKind.Const, new BtfQualifier(BtfQualifierKind.Volatile, Int));
        Typedef = new BtfTypedef("cvint", cv);
        Array = new BtfArray(Char, 16);
        Node.Members.Add(new BtfMember("next", new BtfPointer(Node), 0));
        Node.Members.Add(new BtfMember("name", Array, 64));
        Node.Members.Add(new BtfMember("value", Typedef, 192));
        Node.Members.Add(new BtfMember("opaque", new BtfPointer(Fwd), 256));
        Bits.Members.Add(new BtfMember("a", U32, 0, 3));
        Bits.Members.Add(new BtfMember("b", Int, 3, 5));
        Bits.Members.Add(new BtfMember("c", Bool, 8));
        Union.Members.Add(new BtfMember("i", Int, 0));
        Union.Members.Add(new BtfMember(null, new BtfFloat("float", 4), 0));
        Enum = new BtfEnum("e", 4, isSigned: true, new[] { new BtfEnumValue("A", -1), new BtfEnumValue("B", 5) });
        Enum64 = new BtfEnum("big", 8, isSigned: false, new[] { new BtfEnumValue("HUGE", 0x1_ffff_ffffL) });
        Proto = new BtfFuncProto(Int, new[]
        {
            new BtfParameter("n", new BtfPointer(Node)),
            new BtfParameter("r", new BtfQualifier(BtfQualifierKind.Restrict, new BtfPointer(Int))),
        });
        Func = new BtfFunc("walk", Proto, BtfFuncLinkage.Global);
        Var = new BtfVar("counter", Int, BtfVarLinkage.GlobalAllocated);
        Datasec = new BtfDatasec(".data", 4, new[] { new BtfVarSecInfo(Var, 0, 4) });
        DeclTag = new BtfTag("tagged", Node, isTypeTag: false, componentIndex: 1);
        TypeTag = new BtfTag("user", Int, isTypeTag: true);
    }

    public IEnumerable<BtfType> Roots() =>
        new BtfType[] { Node, Bits, Union, Enum, Enum64, Func, Datasec, Float, DeclTag, new BtfPointer(TypeTag) };

    public BtfBuilder NewBuilder()
    {
        var b = new BtfBuilder();
        foreach (var t in Roots()) b.Add(t);
        return b;
    }
}
