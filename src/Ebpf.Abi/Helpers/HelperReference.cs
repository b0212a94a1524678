namespace Ebpf.Abi;

/// <summary>Whether a helper starts or ends a reference the verifier tracks (a ring-buffer record, a socket): every
/// reference acquired must be released on every path to the program's exit.</summary>
public enum HelperReference
{
    /// <summary>Neither.</summary>
    None,
    /// <summary>The result, once tested non-NULL, is a reference the program must release.</summary>
    Acquires,
    /// <summary>Releases the reference passed as its first argument.</summary>
    ReleasesFirstArgument,
}
