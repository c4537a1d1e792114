namespace Workq.Domain

open System.Collections.Generic

/// The orders the state's trees keep, as comparer objects: generic calls on struct keys,
/// so no comparison boxes.
module Order =
    let jobId =
        { new IComparer<JobId> with
            member _.Compare(a, b) = JobId.Compare(nonNull a, nonNull b) }

    let queueKey =
        { new IComparer<QueueKey> with
            member _.Compare(a, b) = QueueKey.Compare(a, b) }

    let dueKey =
        { new IComparer<DueKey> with
            member _.Compare(a, b) = DueKey.Compare(a, b) }

    let timer =
        { new IComparer<Timer> with
            member _.Compare(a, b) = Timer.Compare(a, b) }
