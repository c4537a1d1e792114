using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.FSharp.Collections;
using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// The logged events of one engine batch, framed as records (length, CRC-32C, body) in
/// one buffer: the bytes the command log appends to a segment, and the bytes a cluster
/// replicates as one entry. One codec for both.
/// </summary>
internal sealed class EventBatch
{
    private readonly ArrayBufferWriter<byte> records = new(64 * 1024);
    // Where each record ends: a segment may only be full after a whole record.
    private readonly List<int> ends = [];
    private readonly ArrayBufferWriter<byte> body = new(1024);

    public bool IsEmpty => records.WrittenCount == 0;

    public ReadOnlyMemory<byte> Records => records.WrittenMemory;

    public ReadOnlySpan<int> Ends => CollectionsMarshal.AsSpan(ends);

    /// <summary>Frames the events of a decision that belong in the log.</summary>
    public void Add(FSharpList<Event> events)
    {
        foreach (Event e in events)
        {
            if (e is Event.Logged logged)
            {
                body.ResetWrittenCount();
                EventCodec.encode(body, logged.Item);
                Workq.Domain.CommandLog.Records.frame(records, body.WrittenSpan);
                ends.Add(records.WrittenCount);
            }
        }
    }

    public void Clear()
    {
        records.ResetWrittenCount();
        ends.Clear();
    }
}
