namespace Ebpf.Btf;

// CONTRACT. Implementation: BTF helper.

/// <summary>An encoded BTF blob and its decoded type graph: ids map to types and back.</summary>
public sealed class BtfSpec
{
    /// <summary>The exact <c>.BTF</c> bytes (what goes into the ELF and into BPF_BTF_LOAD).</summary>
    public byte[] RawBytes => throw new NotImplementedException();

    /// <summary>All types; index = type id; index 0 is <see cref="BtfVoid.Instance"/>.</summary>
    public IReadOnlyList<BtfType> Types => throw new NotImplementedException();

    public BtfType this[int id] => throw new NotImplementedException();

    /// <summary>The id of a type of this spec (by reference identity).</summary>
    public int IdOf(BtfType type) => throw new NotImplementedException();

    public string GetString(uint offset) => throw new NotImplementedException();

    /// <summary>Offset of an existing string in the string section, or null.</summary>
    public uint? FindString(string value) => throw new NotImplementedException();

    /// <summary>The first named type of the given kind (e.g. <c>FindType&lt;BtfDatasec&gt;(".maps")</c>).</summary>
    public T? FindType<T>(string name) where T : BtfType => throw new NotImplementedException();

    /// <summary>Parses a <c>.BTF</c> blob; throws <see cref="BtfFormatException"/> with one clear message when malformed.</summary>
    public static BtfSpec Parse(ReadOnlySpan<byte> bytes) => throw new NotImplementedException();
}

/// <summary>A malformed BTF or .BTF.ext blob.</summary>
public sealed class BtfFormatException(string message) : FormatException(message);
