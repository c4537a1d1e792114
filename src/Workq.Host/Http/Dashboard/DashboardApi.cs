using System.Text.Encodings.Web;
using System.Text.Json;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.AspNetCore.Http;
using Workq.Domain;
using Workq.Host.Cluster;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// The dashboard's data as JSON for scripts (and for the pages' live updates), read-only:
/// <c>/api/overview</c>, <c>/api/queues</c>, <c>/api/queues/{name}</c>,
/// <c>/api/queues/{name}/jobs</c>, <c>/api/jobs/{id}</c>, <c>/api/recurring</c> and
/// <c>/api/cluster</c>. Instants are ISO 8601 UTC text, durations milliseconds, payloads
/// base64. Written with <see cref="Utf8JsonWriter"/>: nothing made by reflection.
/// </summary>
internal static class DashboardApi
{
    public static async Task OverviewAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        JobCounts jobs = StateViews.Count(state);
        await WriteAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("version", DashboardServices.Version);
            w.WriteNumber("uptimeSeconds", Math.Round(services.Uptime.TotalSeconds, 1));
            w.WriteNumber("connections", services.Connections);
            w.WriteString("role", services.States.Cluster is { } node ? node.Role().ToString().ToLowerInvariant() : "standalone");
            w.WriteNumber("queues", state.Queues.Count);
            w.WriteNumber("storedBytes", state.StoredBytes);
            w.WriteStartObject("jobs");
            w.WriteNumber("ready", jobs.Ready);
            w.WriteNumber("scheduled", jobs.Scheduled);
            w.WriteNumber("leased", jobs.Leased);
            w.WriteNumber("failed", jobs.Failed);
            w.WriteNumber("completed", jobs.Completed);
            w.WriteNumber("total", jobs.Total);
            w.WriteEndObject();
            // Per second over the last five minutes, and per minute (averaged per second) over the hour.
            ActivityHistory.Second[] seconds = services.Activity.Last(ActivityHistory.Seconds);
            w.WriteStartObject("activity");
            w.WriteStartArray("seconds");
            foreach (ActivityHistory.Second s in seconds.AsSpan(Math.Max(0, seconds.Length - 300)))
                Point(w, s.At, s.Added, s.Completed, s.Failed);
            w.WriteEndArray();
            w.WriteStartArray("minutes");
            // Minutes counted back from the newest second; the oldest may be part of one.
            for (int end = seconds.Length - (seconds.Length - 1) / 60 * 60; end <= seconds.Length && end > 0; end += 60)
            {
                ReadOnlySpan<ActivityHistory.Second> minute = seconds.AsSpan(Math.Max(0, end - 60), Math.Min(60, end));
                double added = 0, completed = 0, failed = 0;
                foreach (ActivityHistory.Second s in minute)
                    (added, completed, failed) = (added + s.Added, completed + s.Completed, failed + s.Failed);
                Point(w, minute[^1].At, added / minute.Length, completed / minute.Length, failed / minute.Length);
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void Point(Utf8JsonWriter w, long at, double added, double completed, double failed)
    {
        w.WriteStartArray();
        w.WriteNumberValue(at);
        w.WriteNumberValue(Math.Round(added, 2));
        w.WriteNumberValue(Math.Round(completed, 2));
        w.WriteNumberValue(Math.Round(failed, 2));
        w.WriteEndArray();
    }

    public static async Task QueuesAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        int limit = int.TryParse(context.Request.Query["limit"], out int l) ? Math.Clamp(l, 1, OverviewPage.MaxQueueRows) : OverviewPage.MaxQueueRows;
        var (rows, matched) = StateViews.Queues(state, services.Activity, services.Now, context.Request.Query["filter"].ToString(), limit);
        await WriteAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("matched", matched);
            w.WriteStartArray("queues");
            foreach (QueueRow row in rows)
                Queue(w, row);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static async Task QueueAsync(HttpContext context, DashboardServices services)
    {
        if (await StateAndQueueAsync(context, services) is not ({ } state, { } name))
            return;
        // A queue exists while it holds something: any other name's is an empty one.
        QueueRow row = StateViews.Queue(state, services.Activity, services.Now, name) ?? StateViews.Empty(name, services.Activity);
        await WriteAsync(context, w => Queue(w, row));
    }

    public static async Task QueueJobsAsync(HttpContext context, DashboardServices services)
    {
        if (await StateAndQueueAsync(context, services) is not ({ } state, { } name))
            return;
        JobList list = QueuePage.ListParameter(context.Request.Query["list"].ToString());
        int offset = int.TryParse(context.Request.Query["offset"], out int o) ? o : 0;
        int limit = int.TryParse(context.Request.Query["limit"], out int l) ? l : QueuePage.PageSize;
        JobListPage page = StateViews.Page(state, name, list, offset, limit);
        await WriteAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("list", page.List.ToString().ToLowerInvariant());
            w.WriteNumber("offset", page.Offset);
            w.WriteNumber("total", page.Total);
            w.WriteStartArray("jobs");
            foreach (Job job in page.Jobs)
            {
                if (StateViews.Job(state, job.Id) is { } view)
                    Job(w, view, withData: false);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static async Task JobAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        if (JobIdModule.tryParse((string)context.Request.RouteValues["id"]!) is not { } id || StateViews.Job(state, id.Value) is not { } view)
        {
            await NotFoundAsync(context, "no such job");
            return;
        }
        await WriteAsync(context, w => Job(w, view, withData: true));
    }

    public static async Task RecurringAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        await WriteAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var (_, r) in state.Recurrences)
            {
                w.WriteStartObject();
                w.WriteString("key", r.Spec.Key.Value);
                w.WriteString("name", r.Spec.Name.Value);
                w.WriteString("cron", r.Spec.Cron.Token);
                Instant(w, "next", r.Next is { } next ? next.Value : null);
                w.WriteNumber("priority", r.Spec.Priority);
                w.WriteString("overlap", r.Spec.Overlap.IsSkip ? "skip" : "allow");
                if (r.Last is { } last)
                    w.WriteString("lastJob", last.Value.ToString());
                else
                    w.WriteNull("lastJob");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    public static Task ClusterAsync(HttpContext context, DashboardServices services) => WriteAsync(context, w =>
    {
        w.WriteStartObject();
        if (services.States.Cluster is not { } node)
        {
            w.WriteString("role", "standalone");
            w.WriteEndObject();
            return;
        }
        w.WriteString("role", node.Role().ToString().ToLowerInvariant());
        w.WriteString("leader", node.LeaderClientAddress);
        w.WriteNumber("term", node.Term);
        w.WriteNumber("commitIndex", node.CommitIndex);
        w.WriteNumber("appliedIndex", node.AppliedIndex);
        w.WriteStartArray("members");
        foreach (RaftClusterMember member in node.Raft.Members)
        {
            w.WriteStartObject();
            w.WriteString("address", member.EndPoint.ToString());
            w.WriteString("client", member.TryGetMetadata() is { } m && m.TryGetValue(MembershipAdmin.ClientKey, out string? c) ? c : "");
            w.WriteString("role", member.IsLeader ? "leader" : "follower");
            w.WriteString("status", !member.IsRemote ? "self" : member.Status == ClusterMemberStatus.Available ? "available" : member.Status == ClusterMemberStatus.Unavailable ? "unavailable" : "unknown");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The state and the route's queue name; null, with the answer written, when either is missing.</summary>
    private static async Task<(State, JobName)?> StateAndQueueAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return null;
        if (JobNameModule.tryCreate((string)context.Request.RouteValues["name"]!) is not { } name)
        {
            await NotFoundAsync(context, "not a queue name");
            return null;
        }
        return (state, name.Value);
    }

    private static void Queue(Utf8JsonWriter w, QueueRow row)
    {
        w.WriteStartObject();
        w.WriteString("name", row.Name);
        w.WriteNumber("ready", row.Ready);
        w.WriteNumber("scheduled", row.Scheduled);
        w.WriteNumber("leased", row.Leased);
        w.WriteNumber("failed", row.Failed);
        w.WriteNumber("workers", row.Workers);
        if (row.OldestReadyMs is { } age)
            w.WriteNumber("oldestReadySeconds", age / 1000.0);
        else
            w.WriteNull("oldestReadySeconds");
        w.WriteBoolean("oldestReadyExact", row.OldestExact);
        w.WriteNumber("addedPerSecond", Math.Round(row.Rate.Added, 2));
        w.WriteNumber("completedPerSecond", Math.Round(row.Rate.Completed, 2));
        w.WriteNumber("failedPerSecond", Math.Round(row.Rate.Failed, 2));
        w.WriteEndObject();
    }

    private static void Job(Utf8JsonWriter w, JobView view, bool withData)
    {
        Job job = view.Job;
        w.WriteStartObject();
        w.WriteString("id", job.Id.ToString());
        w.WriteString("name", job.Name.Value);
        w.WriteString("state", view.State);
        w.WriteNumber("stateCode", JobModule.stateCode(job));
        w.WriteNumber("priority", job.Priority);
        w.WriteNumber("ttrMs", job.Ttr.Ms);
        if (JobModule.ttl(job) is { } ttl)
            w.WriteNumber("ttlMs", ttl.Value.Ms);
        else
            w.WriteNull("ttlMs");
        w.WriteNumber("attempts", job.Attempts);
        w.WriteNumber("maxAttempts", job.MaxAttempts.Value);
        w.WriteNumber("fails", job.Fails);
        w.WriteNumber("maxFails", job.MaxFails.Value);
        w.WriteNumber("backoffMs", view.Backoff);
        Instant(w, "created", job.Created);
        Instant(w, "scheduledFor", job.Origin is Origin.Scheduled s ? s.at : null);
        Instant(w, "retryAt", job.Status is Status.Delayed d ? d.until : null);
        Instant(w, "leaseEnds", job.Status is Status.Leased l ? l.until : null);
        Instant(w, "failedAt", view.FailedAt);
        Instant(w, "expires", view.ExpiresAt);
        w.WriteNumber("payloadSize", job.Payload.Length);
        if (withData)
        {
            w.WriteBase64String("payload", job.Payload);
            if (job.Status is Status.Finished finished)
            {
                w.WriteBoolean("success", finished.Item.Success);
                w.WriteNumber("resultSize", finished.Item.Data.Length);
                w.WriteBase64String("result", finished.Item.Data);
            }
        }
        w.WriteEndObject();
    }

    private static void Instant(Utf8JsonWriter w, string key, long? instant)
    {
        if (instant is { } at)
            w.WriteString(key, Html.At(at));
        else
            w.WriteNull(key);
    }

    private static Task NotFoundAsync(HttpContext context, string message) => WriteAsync(context, w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    }, StatusCodes.Status404NotFound);

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        // Sent as JSON, never as a page: names and versions stay readable (a '+', a 'é').
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(writer);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
