namespace Workq.Host.CommandLog;

/// <summary>When appended events are forced to disk.</summary>
public enum SyncPolicy
{
    /// <summary>Before the reply: concurrent commands share one fsync (group commit).</summary>
    Always,
    /// <summary>On a timer, and when traffic stops.</summary>
    Interval,
    /// <summary>When the kernel decides.</summary>
    Os,
}
