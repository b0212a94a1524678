namespace Ebpf.Verifier;

// The runtime compiles the shared table (analyzers/Ebpf.Rules/Verifier/VerifierMessageCatalog.cs) as internal:
// VerifierException classifies the kernel's reason with the same IDs and explanations as `ebpf build --verify`.
internal static partial class VerifierMessageCatalog { }
internal sealed partial class VerifierMessageClass { }
