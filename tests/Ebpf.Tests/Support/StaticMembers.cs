using System.Reflection;

namespace Ebpf.Tests.Support;

/// <summary>Reaches the private static members of a <c>[BpfObject]</c> class from a test, as a user's test
/// would: probe classes keep their maps and programs private, and a linked source file cannot be given
/// InternalsVisibleTo.</summary>
internal static class StaticMembers
{
    const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    public static T Field<T>(Type owner, string name)
    {
        var field = owner.GetField(name, Static) ?? throw new MissingFieldException(owner.FullName, name);
        return (T)field.GetValue(null)!;
    }

    /// <summary>Sets a static field, including a <c>static readonly</c> global (a .rodata constant user space sets before load).</summary>
    public static void SetField(Type owner, string name, object? value)
    {
        var field = owner.GetField(name, Static) ?? throw new MissingFieldException(owner.FullName, name);
        field.SetValue(null, value);
    }

    /// <summary>A delegate for a private static method, so a program can be called like any function.</summary>
    public static TDelegate Method<TDelegate>(Type owner, string name) where TDelegate : Delegate
    {
        var method = owner.GetMethod(name, Static) ?? throw new MissingMethodException(owner.FullName, name);
        return method.CreateDelegate<TDelegate>();
    }
}
