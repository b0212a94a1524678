namespace Ebpf.Rules.Flow;

/// <summary>A C# constant as a number for the flow rules' comparisons, when it is one: every integer type and char,
/// and floating-point values a decimal can hold. Strings, booleans, NaN, infinities and huge doubles (<c>1e308</c>)
/// are not numbers here: <see cref="System.IConvertible.ToDecimal"/> would throw on them.</summary>
internal static class NumericConstant
{
    const double DecimalLimit = 7.9e28;

    public static decimal? Of(object? value) => value switch
    {
        sbyte v => v, byte v => v, short v => v, ushort v => v, int v => v, uint v => v, long v => v, ulong v => v,
        char v => v,
        decimal v => v,
        float v when !float.IsNaN(v) && Math.Abs(v) < DecimalLimit => (decimal)v,
        double v when !double.IsNaN(v) && Math.Abs(v) < DecimalLimit => (decimal)v,
        _ => null,
    };
}
