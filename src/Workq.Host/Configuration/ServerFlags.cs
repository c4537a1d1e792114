using System.Net;
using Workq.Host.Cluster;
using Workq.Host.CommandLog;

namespace Workq.Host.Configuration;

/// <summary>
/// Every flag the server takes, each stated once: the command line, configuration,
/// <c>--help</c> and the checks of a value all come from this list. A new flag is one
/// entry here and a property of <see cref="ServerOptions"/> (or an option class in it)
/// holding its default.
/// </summary>
internal static class ServerFlags
{
    public static readonly IReadOnlyList<ServerFlag> All =
    [
        new ServerFlag<IPEndPoint>(
            "listen", FlagValues.Address, "the address to listen on",
            o => o.Listen, (o, v) => o.Listen = v, variable: "WORKQ_LISTEN"),
        new ServerFlag<IPEndPoint?>(
            "http-listen", FlagValues.AddressOrNone, "the address of the HTTP side port (health, metrics); none: no HTTP port",
            o => o.HttpListen, (o, v) => o.HttpListen = v),
        new ServerFlag<string?>(
            "cmdlog-path", FlagValues.Directory, "keep a command log in DIR (none: in memory)",
            o => o.CommandLog.Path, (o, v) => o.CommandLog.Path = v),
        new ServerFlag<SyncPolicy>(
            "cmdlog-sync", FlagValues.Sync, "when the log is forced to disk: always (before each reply), interval or os",
            o => o.CommandLog.Sync, (o, v) => o.CommandLog.Sync = v),
        new ServerFlag<TimeSpan>(
            "cmdlog-sync-int", FlagValues.Milliseconds, "the interval policy's period",
            o => o.CommandLog.SyncInterval, (o, v) => o.CommandLog.SyncInterval = v),
        new ServerFlag<long>(
            "cmdlog-seg-size", FlagValues.Bytes,
            "a segment file's minimum size: it is full once it holds this many bytes, so it goes over by at most one record; 0 means the default size",
            o => o.CommandLog.SegmentSize,
            (o, v) => o.CommandLog.SegmentSize = v == 0 ? CommandLogOptions.DefaultSegmentSize : v),
        new ServerFlag<TimeSpan>(
            "cmdlog-clean-int", FlagValues.Milliseconds, "the compaction period",
            o => o.CommandLog.CleanInterval, (o, v) => o.CommandLog.CleanInterval = v),
        new ServerFlag<bool>(
            "cmdlog-repair", FlagValues.Switch, "start from a damaged log, keeping a backup of what is cut",
            o => o.CommandLog.Repair, (o, v) => o.CommandLog.Repair = v),
        new ServerFlag<IPEndPoint?>(
            "cluster-listen", FlagValues.Member,
            "be a member of a cluster, reached by the other members at this address (its Raft address, which names it); needs -cmdlog-path",
            o => o.Cluster.Listen, (o, v) => o.Cluster.Listen = v),
        new ServerFlag<IReadOnlyList<IPEndPoint>>(
            "cluster-peers", FlagValues.Members,
            "every founding member's Raft address, this member's included; a member not named here is new, and waits to be added (workq cluster add)",
            o => o.Cluster.Peers, (o, v) => o.Cluster.Peers = v),
        new ServerFlag<ElectionTimeout>(
            "cluster-election-timeout", FlagValues.MillisecondRange,
            "how long a follower waits to hear from the leader before it stands for election: a random time between LOW and HIGH; a request between members (a snapshot's transfer too) times out after LOW / 2",
            o => o.Cluster.ElectionTimeout, (o, v) => o.Cluster.ElectionTimeout = v),
        new ServerFlag<long>(
            "max-stored-bytes", FlagValues.Bytes,
            "the payload and result bytes live jobs (and recurring definitions) may hold; beyond it add, schedule, run "
            + "and recur are refused (-SERVER-ERROR Out of memory) while the rest goes on; 0 means half the memory available to the server",
            o => o.MaxStoredBytes, (o, v) => o.MaxStoredBytes = v),
        new ServerFlag<int>(
            "max-connections", FlagValues.Count,
            "connections served at once; one more is answered -SERVER-ERROR Too many connections and closed",
            o => o.Connections.MaxConnections, (o, v) => o.Connections.MaxConnections = v),
        new ServerFlag<long>(
            "max-unsent-bytes", FlagValues.Bytes,
            "a connection's reply bytes not yet sent above which its next requests wait until it reads its replies",
            o => o.Connections.MaxUnsentBytes, (o, v) => o.Connections.MaxUnsentBytes = v),
        new ServerFlag<TimeSpan>(
            "request-timeout", FlagValues.Milliseconds,
            "how long a request may stay unfinished with nothing more arriving; then -CLIENT-ERROR Request timed out "
            + "and the connection is closed (a connection idle between requests is never timed out)",
            o => o.Connections.RequestTimeout, (o, v) => o.Connections.RequestTimeout = v),
        new ServerFlag<string?>(
            "tls-cert", FlagValues.File,
            "serve the job port (and the HTTP port) over TLS with this certificate: a PEM file (its chain may follow it; "
            + "its key in it or in -tls-key) or a PKCS#12 file; read again on SIGHUP or when the file changes",
            o => o.Tls.CertificatePath, (o, v) => o.Tls.CertificatePath = v),
        new ServerFlag<string?>(
            "tls-key", FlagValues.File, "the PEM private key of -tls-cert, unless the certificate's file holds it",
            o => o.Tls.KeyPath, (o, v) => o.Tls.KeyPath = v),
        new ServerFlag<string?>(
            "tls-key-password", FlagValues.Secret,
            "the password of an encrypted -tls-key or of a PKCS#12 -tls-cert (rather in the environment, "
            + "WORKQ_TLS_KEY_PASSWORD, than on a command line others can list)",
            o => o.Tls.KeyPassword, (o, v) => o.Tls.KeyPassword = v, variable: "WORKQ_TLS_KEY_PASSWORD"),
        new ServerFlag<string?>(
            "tls-client-ca", FlagValues.File,
            "ask clients for a certificate issued by one of the authorities in this PEM file: required of every client, "
            + "or with -auth-tokens admitting a client without auth (one without a certificate then sends a token)",
            o => o.Tls.ClientCaPath, (o, v) => o.Tls.ClientCaPath = v),
        new ServerFlag<string?>(
            "auth-tokens", FlagValues.File,
            "require every connection to send auth <token> first, and the HTTP port (but /healthz) a bearer token: "
            + "one name:token a line; read again on SIGHUP or when the file changes",
            o => o.AuthTokens, (o, v) => o.AuthTokens = v),
        new ServerFlag<bool>(
            "insecure", FlagValues.Switch,
            "listen on an address other machines can reach with neither -auth-tokens nor -tls-client-ca "
            + "(without it the server refuses to start so)",
            o => o.Insecure, (o, v) => o.Insecure = v),
        new ServerFlag<TimeSpan>(
            "shutdown-timeout", FlagValues.Milliseconds,
            "how long a stop (SIGTERM, Ctrl-C) may take to close connections and the command log before the process ends anyway",
            o => o.ShutdownTimeout, (o, v) => o.ShutdownTimeout = v),
    ];
}
