namespace System.Runtime.CompilerServices;

/// <summary>Lets netstandard2.0 compile <c>init</c> accessors and records (the type ships with .NET 5+).</summary>
static class IsExternalInit { }
