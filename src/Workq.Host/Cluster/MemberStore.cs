using System.Buffers.Binary;
using System.Net;
using System.Text;
using DotNext.Buffers;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace Workq.Host.Cluster;

/// <summary>
/// The cluster's members as this member last learnt them, in a file of its own (written
/// to a temporary file, synced and renamed into place by DotNext). Membership changes
/// are log entries, which compaction drops: this file is what keeps an added or removed
/// member across compaction and restarts. Each address is a length and its UTF-8 text.
/// </summary>
internal sealed class MemberStore(string path) : PersistentClusterConfigurationStorage<EndPoint>(path)
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer)
    {
        byte[] text = Encoding.UTF8.GetBytes(address.ToString() ?? "");
        Span<byte> length = stackalloc byte[sizeof(ushort)];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)text.Length));
        writer.Write(length);
        writer.Write(text);
    }

    protected override EndPoint Decode(ref SequenceReader reader)
    {
        Span<byte> length = stackalloc byte[sizeof(ushort)];
        reader.Read(length);
        byte[] text = new byte[BinaryPrimitives.ReadUInt16LittleEndian(length)];
        reader.Read(text);
        return IPEndPoint.Parse(Encoding.UTF8.GetString(text));
    }
}
