namespace Workq.Bench;

/// <summary>What a request in flight was, so its reply is parsed and timed for it.</summary>
public enum RequestKind
{
    /// <summary>Workq <c>add</c>, beanstalkd <c>put</c>.</summary>
    Add,
    /// <summary>Workq <c>lease</c>, beanstalkd <c>reserve-with-timeout</c>.</summary>
    Lease,
    /// <summary>Workq <c>complete</c>, beanstalkd <c>delete</c>.</summary>
    Complete,
    /// <summary>Workq <c>run</c>.</summary>
    Run,
}

public static class RequestKinds
{
    public static readonly RequestKind[] All = Enum.GetValues<RequestKind>();

    public static string Key(RequestKind kind) => kind switch
    {
        RequestKind.Add => "add",
        RequestKind.Lease => "lease",
        RequestKind.Complete => "complete",
        _ => "run",
    };
}
