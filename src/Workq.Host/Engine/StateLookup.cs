using Workq.Domain;
using Workq.Domain.Collections;

namespace Workq.Host.Engine;

/// <summary>Looking up a state's jobs from C#, without the option the core's own lookup allocates.</summary>
internal static class StateLookup
{
    public static Job? FindJob(this State state, JobId id)
    {
        var found = SortedTree.tryFindV(id, state.Jobs);
        return found.IsSome ? found.Value : null;
    }
}
