namespace Workq.Client;

/// <summary>What a recurring definition does when an occurrence comes while the job of the one before is unfinished.</summary>
public enum RecurringOverlap
{
    /// <summary>Adds the occurrence's job all the same (the protocol's <c>-overlap=allow</c>, the default).</summary>
    Allow = 0,

    /// <summary>Leaves the occurrence out (<c>-overlap=skip</c>).</summary>
    Skip = 1,
}
