namespace Ebpf.Tests.Helpers;

public unsafe class DynptrTests
{
    [Fact]
    public void Read_copies_within_the_dynptr_and_refuses_past_its_end_with_the_value_cleared()
    {
        byte* bytes = stackalloc byte[] { 1, 2, 3, 4, 5, 6 };
        var dynptr = new Dynptr(bytes, 6);
        Assert.Equal(0, Dynptr.Read(out uint value, in dynptr, offset: 2));
        Assert.Equal(0x06050403u, value);

        ulong wide = ulong.MaxValue;
        Assert.Equal(-Errno.E2BIG, Bpf.DynptrRead(&wide, 8, &dynptr, 0, 0));
        Assert.Equal(0UL, wide);
        // offset + length wraps a u32: still past the end.
        Assert.Equal(-Errno.E2BIG, Dynptr.Read(out uint _, in dynptr, offset: uint.MaxValue - 1));
    }

    [Fact]
    public void Read_refuses_flags_and_an_empty_dynptr_before_checking_the_range()
    {
        byte* bytes = stackalloc byte[] { 1, 2, 3, 4 };
        var dynptr = new Dynptr(bytes, 4);
        uint value = uint.MaxValue;
        // Both past the end and flagged: EINVAL comes first, as in the kernel.
        Assert.Equal(-Errno.EINVAL, Bpf.DynptrRead(&value, 4, &dynptr, 4, 1));
        Assert.Equal(0u, value);
        var empty = default(Dynptr);
        Assert.Equal(-Errno.EINVAL, Dynptr.Read(out uint _, in empty));
    }

    [Fact]
    public void Data_is_null_past_the_end_or_for_an_empty_dynptr()
    {
        byte* bytes = stackalloc byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var dynptr = new Dynptr(bytes, 8);
        Assert.Equal((nint)(bytes + 4), (nint)Bpf.DynptrData(&dynptr, 4, 4));
        Assert.True(Bpf.DynptrData(&dynptr, 5, 4) == null);
        Assert.True(Bpf.DynptrData(&dynptr, uint.MaxValue, 2) == null);
        var empty = default(Dynptr);
        Assert.True(System.Runtime.CompilerServices.Unsafe.IsNullRef(ref Dynptr.Data<byte>(in empty)));
    }
}
