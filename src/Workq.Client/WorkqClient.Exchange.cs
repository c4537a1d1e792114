using System.Net.Sockets;

namespace Workq.Client;

public sealed partial class WorkqClient
{
    /// <summary>Reads one kind of reply, named for the command it answers.</summary>
    private delegate ValueTask<T> ReplyReader<T>(Connection connection, string command, CancellationToken cancellationToken);

    /// <summary>
    /// One request/response exchange on a connection of its own. The connection goes back
    /// to the pool only when the reply was read in full (an error reply included); after
    /// a failure or a cancellation, when the reply may be half read or still on its way,
    /// it is closed.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(Request request, ReplyReader<T> readReply, CancellationToken cancellationToken)
    {
        using (request)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Connection connection = await pool.RentAsync(cancellationToken);
            bool clean = false;
            bool broken = false;
            try
            {
                await connection.SendAsync(request.Bytes, cancellationToken);
                T reply = await readReply(connection, request.Command, cancellationToken);
                clean = true;
                return reply;
            }
            catch (WorkqException)
            {
                clean = true; // the server answered with an error line: nothing is left unread
                throw;
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidDataException
                                          or ObjectDisposedException or OperationCanceledException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    if (e is OperationCanceledException)
                        throw;
                    throw new OperationCanceledException(null, e, cancellationToken);
                }
                if (pool.IsDisposed)
                    throw new ObjectDisposedException($"The {nameof(WorkqClient)} was disposed during {request.Command}.", e);
                broken = true;
                throw new WorkqConnectionException(Describe(connection.Address, request.Command, e), requestSent: true, e);
            }
            finally
            {
                if (clean)
                    pool.Return(connection);
                else if (broken)
                    pool.Broken(connection);
                else
                    pool.Discard(connection);
            }
        }
    }

    /// <summary>An exchange whose reply is a plain <c>+OK</c>.</summary>
    private Task ExchangeDoneAsync(Request request, CancellationToken cancellationToken) =>
        ExchangeAsync(request, static async (connection, command, ct) =>
        {
            await Replies.DoneAsync(connection, command, ct);
            return true;
        }, cancellationToken);

    /// <summary>An <c>inspect</c> exchange: its records, each made into a <typeparamref name="T"/>.</summary>
    private Task<List<T>> InspectAsync<T>(Request request, Func<InspectRecord, T> convert, CancellationToken cancellationToken) =>
        ExchangeAsync(request, async (connection, command, ct) =>
        {
            List<InspectRecord> records = await Replies.RecordsAsync(connection, command, ct);
            return records.ConvertAll(r => convert(r));
        }, cancellationToken);

    /// <summary>An <c>inspect</c> exchange whose reply must hold exactly one record.</summary>
    private Task<T> InspectOneAsync<T>(Request request, Func<InspectRecord, T> convert, CancellationToken cancellationToken) =>
        ExchangeAsync(request, async (connection, command, ct) =>
        {
            List<InspectRecord> records = await Replies.RecordsAsync(connection, command, ct);
            return records.Count == 1
                ? convert(records[0])
                : throw new InvalidDataException($"{records.Count} records where one was due");
        }, cancellationToken);

    private static string Describe(ServerAddress address, string command, Exception e) => e switch
    {
        InvalidDataException => $"The reply of the Workq server at {address} to {command} broke the protocol: {e.Message}.",
        _ => $"The connection to the Workq server at {address} failed during {command}: {e.Message}.",
    };
}
