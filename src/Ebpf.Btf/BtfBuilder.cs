namespace Ebpf.Btf;

// CONTRACT. Implementation: BTF helper.

/// <summary>Collects types (and the types they reference), assigns ids in insertion order
/// (void is 0), de-duplicates strings, and encodes the <c>.BTF</c> blob.</summary>
public sealed class BtfBuilder
{
    /// <summary>Adds <paramref name="type"/> and everything it references (once, by reference identity); returns its id.</summary>
    public int Add(BtfType type) => throw new NotImplementedException();

    /// <summary>Adds a string to the string table (for .BTF.ext file names and source lines); returns its offset.</summary>
    public uint AddString(string value) => throw new NotImplementedException();

    /// <summary>Encodes header, type section and string section (little-endian, version 1) and returns the parsed view.</summary>
    public BtfSpec Build() => throw new NotImplementedException();
}
