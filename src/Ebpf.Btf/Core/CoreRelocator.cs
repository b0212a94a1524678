namespace Ebpf.Btf.Core;

/// <summary>CO-RE relocation in user space, as libbpf does it (relo_core.c): for each relocation of a program, the
/// local access is parsed in the object's BTF, candidates with the same essential name are looked up in the target
/// BTF, the access is followed in each, and the value the instruction needs is computed. Pure: no kernel involved.</summary>
/// <remarks>Compute with <see cref="ComputeFixups"/>, then apply with <see cref="CoreInstructionPatcher"/>. A relocation
/// whose target is missing yields a poisoned fixup (the instruction becomes a call to helper 0xbad2310, which the
/// verifier reports as <c>invalid func unknown#195896080</c> only when reached), so a program guarded by
/// <c>bpf_core_field_exists</c> loads on kernels without the field.</remarks>
public static class CoreRelocator
{
    /// <summary>The fixups of <paramref name="relocations"/> (offsets in slots of the program's instructions).</summary>
    /// <param name="program">Program name, for messages.</param>
    /// <param name="relocations">The program's CO-RE records; their types belong to <paramref name="localBtf"/>.</param>
    /// <param name="localBtf">The object's BTF.</param>
    /// <param name="target">The kernel BTF (and module BTF) to resolve against.</param>
    /// <param name="lineInfos">The program's line_info, offsets in the same slots, to name source lines in messages.</param>
    /// <exception cref="CoreRelocationException">A record is malformed or its candidates disagree.</exception>
    public static IReadOnlyList<CoreFixup> ComputeFixups(string program, IReadOnlyList<BtfCoreRelocation> relocations, BtfSpec localBtf,
        CoreTarget target, IReadOnlyList<BtfLineInfo>? lineInfos = null)
    {
        var fixups = new List<CoreFixup>(relocations.Count);
        var candidateCache = new Dictionary<BtfType, List<CoreCandidate>>(ReferenceEqualityComparer.Instance);
        foreach (var relocation in relocations)
        {
            var site = new CoreRelocationSite(program, relocation.InstructionOffset, SourceAt(lineInfos, relocation.InstructionOffset),
                relocation.Kind, CoreTypeFacts.Describe(relocation.Type), CoreSpecParser.AccessPath(relocation), relocation.AccessString);
            fixups.Add(Compute(relocation, site, localBtf, target, candidateCache));
        }
        return fixups;
    }

    static CoreFixup Compute(BtfCoreRelocation relocation, CoreRelocationSite site, BtfSpec localBtf, CoreTarget target,
        Dictionary<BtfType, List<CoreCandidate>> candidateCache)
    {
        var local = CoreSpecParser.Parse(localBtf, relocation, out string? error);
        if (error is not null) throw Failure(site, $"invalid CO-RE record: {error}");
        if (local.RootId < 0) throw Failure(site, $"the relocated {site.LocalType} is not a type of the object's BTF");

        if (relocation.Kind == BtfCoreRelocationKind.TypeIdLocal)
            return new CoreFixup(relocation.InstructionOffset, relocation.Kind, (ulong)local.RootId, (ulong)local.RootId, false, false, 0, 0, false, site, null, null);
        if (string.IsNullOrEmpty(relocation.Type.Name))
            throw Failure(site, "CO-RE relocations against anonymous types cannot be resolved (no name to look the type up by)");

        var localValue = CoreValues.For(local, relocation.Kind);
        if (localValue.Error is not null) throw Failure(site, localValue.Error);

        if (!candidateCache.TryGetValue(relocation.Type, out var candidates))
            candidateCache[relocation.Type] = candidates = target.Candidates(relocation.Type);

        CoreFixup? chosen = null;
        CoreSpec? chosenSpec = null;
        foreach (var candidate in candidates)
        {
            var spec = CoreSpecMatcher.Match(local, candidate);
            if (spec is null) continue;
            var fixup = Fixup(relocation, site, local, localValue, spec, $"{candidate.Btf.Name} [{candidate.Id}] {CoreTypeFacts.Describe(candidate.Type)}");
            if (chosen is null) { chosen = fixup; chosenSpec = spec; continue; }
            if (spec.BitOffset != chosenSpec!.BitOffset)
                throw Failure(site, $"field offset ambiguity: {chosen.Target} puts it at bit {chosenSpec.BitOffset}, {fixup.Target} at bit {spec.BitOffset}");
            if (fixup.Poison != chosen.Poison || fixup.TargetValue != chosen.TargetValue)
                throw Failure(site, $"relocation ambiguity: {chosen.Target} gives {Show(chosen)}, {fixup.Target} gives {Show(fixup)}");
        }
        if (chosen is not null) return chosen;

        string reason = candidates.Count == 0
            ? $"{target.Kernel.Name}{(target.HasModules ? " and module BTF have" : " has")} no {CoreTypeFacts.Describe(relocation.Type)}"
            : $"no {CoreTypeFacts.Describe(relocation.Type)} in {string.Join(", ", candidates.Select(c => c.Btf.Name).Distinct())} has {site.AccessPath} with a compatible type";
        return Fixup(relocation, site, local, localValue, null, null) with { Reason = reason };
    }

    static CoreFixup Fixup(BtfCoreRelocation relocation, CoreRelocationSite site, CoreSpec local, CoreValues.Value localValue, CoreSpec? target, string? targetName)
    {
        var targetValue = CoreValues.For(target, relocation.Kind);
        if (targetValue.Error is not null && !targetValue.Poison) throw Failure(site, $"in {targetName}: {targetValue.Error}");
        bool unsafeResize = false;
        if (relocation.Kind == BtfCoreRelocationKind.FieldByteOffset && !targetValue.Poison && localValue.FieldSize != targetValue.FieldSize
            && localValue.FieldType is not null && targetValue.FieldType is not null)
        {
            // A 64-bit load of a 32-bit pointer, or of a narrower unsigned integer, reads the same value zero-extended;
            // any other size change would read a different value.
            var l = BtfLayout.SkipQualifiers(localValue.FieldType);
            var t = BtfLayout.SkipQualifiers(targetValue.FieldType);
            bool pointers = l is BtfPointer && t is BtfPointer;
            bool unsignedInts = l is BtfInt { IsSigned: false } && t is BtfInt { IsSigned: false };
            unsafeResize = !pointers && !unsignedInts;
        }
        string? reason = targetValue.Poison ? targetValue.Error ?? "no match in the target" : null;
        return new CoreFixup(relocation.InstructionOffset, relocation.Kind, localValue.Number, targetValue.Number, targetValue.Poison,
            localValue.Validate, localValue.FieldSize, targetValue.FieldSize, unsafeResize, site, targetName, reason);
    }

    static string Show(CoreFixup f) => f.Poison ? "poison" : f.TargetValue.ToString();

    static CoreRelocationException Failure(CoreRelocationSite site, string message) => new($"{site}: {message}");

    static BtfLineInfo? SourceAt(IReadOnlyList<BtfLineInfo>? lines, int slot)
    {
        if (lines is null) return null;
        BtfLineInfo? best = null;
        foreach (var line in lines)
            if (line.InstructionOffset <= slot && (best is null || line.InstructionOffset >= best.InstructionOffset)) best = line;
        return best;
    }
}
