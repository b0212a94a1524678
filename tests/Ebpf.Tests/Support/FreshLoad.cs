using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;

namespace Ebpf.Tests.Support;

/// <summary>A fresh copy of this test assembly in its own load context: its probe classes have not run
/// their static initializers yet, so a test can set a <c>static readonly</c> global (.rodata) the way user
/// space does before loading an object. .NET refuses to write such a field once its class is initialized
/// (and the JIT may have folded its value), so a second load is the faithful way to "load with a constant".</summary>
/// <remarks>The kernel-side API (Ebpf.dll) is shared with the default context, so maps and
/// <see cref="BpfEnvironment"/> are the same types in both.</remarks>
internal sealed class FreshLoad : IDisposable
{
    sealed class Context() : AssemblyLoadContext(nameof(FreshLoad), isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name) => null;   // everything else from the default context
    }

    readonly Context _context = new();
    readonly Assembly _assembly;

    public FreshLoad() => _assembly = _context.LoadFromAssemblyPath(typeof(FreshLoad).Assembly.Location);

    public Type Type(string fullName) => _assembly.GetType(fullName, throwOnError: true)!;

    /// <summary>Sets a <c>static readonly</c> global of a class of this copy before any code of that class
    /// has been compiled, as the loader patches .rodata before the programs run. (Reflection's SetValue
    /// refuses initonly statics; a store compiled for the purpose is what remains.)</summary>
    public static void SetReadOnlyGlobal(Type owner, string name, object value)
    {
        var field = owner.GetField(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingFieldException(owner.FullName, name);
        var store = new DynamicMethod($"Set{name}", null, [typeof(object)], owner, skipVisibility: true);
        var il = store.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Unbox_Any, field.FieldType);
        il.Emit(OpCodes.Stsfld, field);
        il.Emit(OpCodes.Ret);
        store.CreateDelegate<Action<object>>()(value);
        if (!Equals(field.GetValue(null), value)) throw new InvalidOperationException($"{owner.Name}.{name} did not take the value {value}.");
    }

    public void Dispose() => _context.Unload();
}
