namespace Ebpf.Runtime;

/// <summary>An object that cannot be loaded for a reason found before or besides the kernel (an undefined map or
/// function, a relocation on the wrong instruction, a missing data section).</summary>
public class LoadException(string message, Exception? inner = null) : Exception(message, inner);
