namespace Workq.Client;

/// <summary>A job's state as <c>inspect</c> reports it (the protocol's numeric codes).</summary>
public enum JobState
{
    /// <summary>Never leased yet: ready, or waiting for its scheduled time.</summary>
    New = 0,

    /// <summary>Finished: a worker completed it.</summary>
    Completed = 1,

    /// <summary>Finished: failed for good, by a final <c>fail</c> or when its attempts ran out.</summary>
    Failed = 2,

    /// <summary>Back in its queue after a lease ran out or a <c>fail</c> that is retried.</summary>
    Pending = 3,

    /// <summary>Held by a worker.</summary>
    Leased = 4,
}
