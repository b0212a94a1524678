using Ebpf.Abi;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>The compiler's own check of EBPF2108 on optimized IR, behind the source flow rule of the same ID: from each
/// call that acquires a reference (<see cref="HelperReference.Acquires"/>: a ring-buffer reservation, a socket lookup),
/// every path on which the result is not NULL must reach a helper that releases it before the function returns. The
/// verifier refuses the program otherwise ("Unreleased reference id=N"). Reported at the leaking exit: the return, or,
/// where the optimizer merged returns, the last construct of that path before the merge.
/// <para>A reference that leaves the function's own code (stored to memory, passed to a non-inlined function, merged in
/// a phi) is left to the verifier.</para></summary>
public static class UnreleasedReferenceBackstop
{
    /// <summary>The catalog ID of the rule it backs (<c>DiagnosticDescriptors.UnreleasedRecord</c>).</summary>
    public const string Id = "EBPF2108";

    public static IEnumerable<IrFinding> Check(IrFunction function)
    {
        var acquires = function.Blocks.SelectMany(b => b.Instructions).OfType<HelperCallInstruction>()
            .Where(c => HelperTable.Find(c.HelperId)?.Reference == HelperReference.Acquires).ToList();
        var reported = new HashSet<SourceLocation?>();
        foreach (var acquire in acquires)
        {
            if (Escapes(acquire)) continue;
            foreach (var exit in LeakingExits(acquire))
            {
                var location = exit?.Location;
                if (reported.Add(location))
                    yield return new IrFinding(Id, location, [acquire.Name, acquire.Location?.Line ?? 0]);
            }
        }
    }

    /// <summary>For each path from <paramref name="acquire"/> to a return with the reference still held: the located
    /// instruction to report it at.</summary>
    static IEnumerable<Instruction?> LeakingExits(HelperCallInstruction acquire)
    {
        var start = acquire.Block!;
        var explored = new HashSet<BasicBlock>();
        var pending = new Stack<(BasicBlock Block, int Index, Instruction? Last)>();
        pending.Push((start, IndexOf(start, acquire) + 1, acquire));
        while (pending.Count > 0)
        {
            var (block, index, last) = pending.Pop();
            bool released = false;
            for (int i = index; i < block.Instructions.Count && !released; i++)
            {
                var instruction = block.Instructions[i];
                if (instruction.Location is not null && (block == start || block.Predecessors.Count == 1)) last = instruction;
                switch (instruction)
                {
                    case HelperCallInstruction call when call == acquire:
                        released = true;  // around a loop to the reservation again: the verifier judges that one
                        break;
                    case HelperCallInstruction call when Releases(call, acquire):
                        released = true;
                        break;
                    case ReturnInstruction ret:
                        // Returns the optimizer merged choose their value in a phi: the path's own exit is the last
                        // construct before the merge. Otherwise the return statement is the exit.
                        bool merged = ret.ReturnValue is PhiInstruction phi && phi.Block == block;
                        yield return merged || ret.Location is null ? last : ret;
                        released = true;
                        break;
                    case BranchInstruction branch:
                        bool isTest = NullTests.DependsOn(branch.Condition, acquire, 0);
                        if (isTest && NullTests.TryRead(branch.Condition, acquire, out bool trueMeansNonNull))
                            Follow(trueMeansNonNull ? branch.IfTrue : branch.IfFalse, last);
                        else
                        {
                            Follow(branch.IfTrue, last);
                            Follow(branch.IfFalse, last);
                        }
                        break;
                    case JumpInstruction jump:
                        Follow(jump.Target, last);
                        break;
                }
            }
        }

        void Follow(BasicBlock next, Instruction? last)
        {
            if (explored.Add(next)) pending.Push((next, 0, last));
        }
    }

    static bool Releases(HelperCallInstruction call, HelperCallInstruction acquire)
        => HelperTable.Find(call.HelperId)?.Reference == HelperReference.ReleasesFirstArgument
           && call.Operands.Count > 0 && NullTests.Strip(call.Operands[0]) == acquire;

    /// <summary>Whether the reference can be released out of this function's sight: kept in memory, passed to a call that
    /// is not a helper, or merged with another value.</summary>
    static bool Escapes(Instruction acquire)
    {
        var pending = new Stack<Value>();
        var seen = new HashSet<Value>();
        pending.Push(acquire);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            if (!seen.Add(value)) continue;
            foreach (var user in value.Users)
            {
                switch (user)
                {
                    case StoreInstruction store when store.StoredValue == value: return true;
                    case FunctionCallInstruction or PhiInstruction or ReturnInstruction: return true;
                    case CopyInstruction or ConvertInstruction or PointerAddInstruction: pending.Push(user); break;
                }
            }
        }
        return false;
    }

    static int IndexOf(BasicBlock block, Instruction instruction)
    {
        for (int i = 0; i < block.Instructions.Count; i++) if (block.Instructions[i] == instruction) return i;
        return -1;
    }
}
