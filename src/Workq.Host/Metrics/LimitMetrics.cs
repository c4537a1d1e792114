using System.Diagnostics.Metrics;
using Workq.Domain;
using Workq.Host.Engine;

namespace Workq.Host.Metrics;

/// <summary>
/// The limits on what clients may hold of the server, each beside its use: connections
/// (<c>-max-connections</c>), stored bytes (<c>-max-stored-bytes</c>), unsent reply bytes
/// (<c>-max-unsent-bytes</c>) and the buffers connections hold; what each limit refused,
/// the requests timed out (<c>-request-timeout</c>) and the connections paused for their
/// unread replies. Everything is read, when collected, from the server's own account
/// (<see cref="ServerAccounting"/>) and, for the jobs refused, from the engine's metrics.
/// </summary>
internal sealed class LimitMetrics
{
    public const string ConnectionsLimit = "connections";

    public const string StoredBytesLimit = "stored-bytes";

    public LimitMetrics(ServerMeter serverMeter, ServerAccounting accounting, Limits limits, EngineMetrics engine)
    {
        Meter meter = serverMeter.Meter;
        meter.CreateObservableGauge("workq.connections.limit", () => accounting.MaxConnections, "{connection}",
            "Connections served at once, at most (-max-connections); beside workq.connections.active");
        meter.CreateObservableGauge("workq.stored", () => accounting.StoredBytes, "By",
            "Payload and result bytes the jobs hold");
        meter.CreateObservableGauge("workq.stored.limit", () => limits.MaxStoredBytes, "By",
            "Payload and result bytes the jobs may hold (-max-stored-bytes); past it new jobs are refused");
        meter.CreateObservableCounter("workq.limit.refusals",
            () => new[]
            {
                new Measurement<long>(accounting.RejectedConnections, new KeyValuePair<string, object?>(Attributes.Limit, ConnectionsLimit)),
                new Measurement<long>(engine.RefusedForRoom, new KeyValuePair<string, object?>(Attributes.Limit, StoredBytesLimit)),
            },
            "{refusal}",
            "Refusals by limit: connections answered Too many connections and closed, new jobs answered Out of memory");
        meter.CreateObservableCounter("workq.requests.timed_out", () => accounting.TimedOutRequests, "{request}",
            "Requests left unfinished past -request-timeout: answered Request timed out, their connections closed");
        meter.CreateObservableGauge("workq.connections.buffers", () => accounting.ConnectionBytes().Total, "By",
            "Bytes of buffers all connections hold: requests received and not yet read, replies written and not yet sent");
        meter.CreateObservableGauge("workq.connections.buffers.largest", () => accounting.ConnectionBytes().Largest, "By",
            "Bytes of buffers the connection that holds the most holds");
        meter.CreateObservableGauge("workq.connections.unsent", () => accounting.Unsent().Total, "By",
            "Reply bytes not yet sent, all connections");
        meter.CreateObservableGauge("workq.connections.unsent.limit", () => accounting.MaxUnsentBytes, "By",
            "A connection's unsent reply bytes past which its requests are not read (-max-unsent-bytes)");
        meter.CreateObservableGauge("workq.connections.paused", () => accounting.Unsent().Paused, "{connection}",
            "Connections past -max-unsent-bytes: their requests are not read until their clients read their replies");
        meter.CreateObservableCounter("workq.connections.pauses", () => accounting.Pauses, "{pause}",
            "Times a connection's requests waited for its client to read its replies");
    }
}
