namespace Ebpf.Runtime;

/// <summary>A map is not what the caller expects: a pinned map whose type or sizes differ from the object's map, or a
/// typed view or record type whose layout differs from the map's BTF (the message names the field).</summary>
public sealed class MapMismatchException(string message) : InvalidOperationException(message);
