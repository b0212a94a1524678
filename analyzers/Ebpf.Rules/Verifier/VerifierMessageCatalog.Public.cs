namespace Ebpf.Verifier;

// Ebpf.Rules exposes the catalog (the CLI and the analyzers' descriptors read it); Ebpf.Runtime compiles
// the same table as internal (see VerifierMessageCatalog.cs).
public static partial class VerifierMessageCatalog { }
public sealed partial class VerifierMessageClass { }
