using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.FSharp.Core;
using Workq.Domain;
using Workq.Host.Engine;
using Workq.Host.Http.Access;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// The dashboard's actions: delete a job, put a failed job (or all of a queue's) back, add
/// a job. Each is a form posted from a page, taken only with the page's CSRF token, and
/// made into the protocol's request line (<c>delete &lt;id&gt;</c>, <c>requeue &lt;id&gt;</c>,
/// <c>requeue-failed &lt;name&gt;</c>, <c>add …</c> or <c>schedule …</c>), read by the same
/// parser as a TCP request and sent through the engine (<see cref="Engine.EngineClient"/>),
/// so that it is checked, decided, logged and replicated as that request would be.
/// </summary>
internal static class DashboardActions
{
    public static Task DeleteAsync(HttpContext context, DashboardServices services) =>
        ActAsync(context, services, form =>
        {
            string id = (string)context.Request.RouteValues["id"]!;
            // Back to its queue's page: the job's page is gone with it.
            State? state = services.States.Current;
            string back = state is not null && JobIdModule.tryParse(id) is { } jobId && state.FindJob(jobId.Value) is { } job
                ? $"/queues/{Html.Segment(job.Name.Value)}?done=deleted" : "/?done=deleted";
            return ($"delete {id}", [], back);
        });

    public static Task RequeueAsync(HttpContext context, DashboardServices services) =>
        ActAsync(context, services, form =>
        {
            string id = (string)context.Request.RouteValues["id"]!;
            return ($"requeue {id}", [], $"/jobs/{Html.Segment(id)}?done=requeued");
        });

    public static Task RequeueFailedAsync(HttpContext context, DashboardServices services) =>
        ActAsync(context, services, form =>
        {
            string name = (string)context.Request.RouteValues["name"]!;
            return ($"requeue-failed {name}", [], $"/queues/{Html.Segment(name)}?list=ready&done=requeued-all");
        });

    public static Task AddAsync(HttpContext context, DashboardServices services) =>
        ActAsync(context, services, form =>
        {
            string id = Guid.CreateVersion7().ToString();
            byte[] payload = Encoding.UTF8.GetBytes(form["payload"].ToString());
            string name = form["name"].ToString().Trim();
            string ttr = form["ttr"].ToString().Trim(), ttl = form["ttl"].ToString().Trim(), priority = form["priority"].ToString().Trim();
            string flags = priority is "" or "0" ? "" : $" -priority={priority}";
            string time = form["time"].ToString().Trim();
            if (!new[] { name, ttr, ttl, priority, time }.All(IsWord))
                return (null, [], "");
            string line = time.Length == 0
                ? $"add {id} {name} {ttr} {ttl} {payload.Length}{flags}"
                : $"schedule {id} {name} {ttr} {ttl} {ProtocolTime(time)} {payload.Length}{flags}";
            return (line, payload, $"/jobs/{id}?done=added");
        });

    /// <summary>A browser's <c>datetime-local</c> value, taken as UTC, as the protocol writes a time; as given if it is not one.</summary>
    private static string ProtocolTime(string local) =>
        DateTime.TryParseExact(local, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime at)
            ? at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.Replace(' ', '_');

    /// <summary>Whether a form's value is one word of a request line: no space, no line end, nothing that would start another argument.</summary>
    private static bool IsWord(string value) => value.All(c => !char.IsWhiteSpace(c) && !char.IsControl(c));

    private static async Task ActAsync(
        HttpContext context, DashboardServices services, Func<IFormCollection, (string? Line, byte[] Payload, string Back)> request)
    {
        IFormCollection form = context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted)
            : FormCollection.Empty;
        if (!services.Csrf.Allows(context, form[Csrf.Field]))
        {
            await Layout.ProblemAsync(context, services, StatusCodes.Status403Forbidden, "Refused",
                "The request did not carry this dashboard's token (cross-site request forgery protection): reload the page and try again.");
            return;
        }
        var (line, payload, back) = request(form);
        if (line is null || !IsRequestLine(line))
        {
            await Layout.ProblemAsync(context, services, StatusCodes.Status400BadRequest, "Not done",
                "Each field is one word: a name, a number or a time, without spaces.");
            return;
        }
        FSharpResult<Command, ClientError> parsed = Parser.parse(line, payload);
        if (parsed.IsError)
        {
            await Layout.ProblemAsync(context, services, StatusCodes.Status400BadRequest, "Not done", WireText(Reply.NewClientError(parsed.ErrorValue)));
            return;
        }
        Reply? reply = await services.Engine.SendAsync(parsed.ResultValue, context.RequestAborted);
        switch (reply)
        {
            case null:
                string leader = services.States.Cluster?.LeaderClientAddress ?? "";
                await Layout.ProblemAsync(context, services, StatusCodes.Status503ServiceUnavailable, "Not done",
                    "This cluster member does not lead: act on the leader's dashboard" + (leader.Length > 0 ? $" (its job port is {leader})." : "."));
                break;
            case { IsDone: true } or { IsRequeued: true }:
                // See Other: the browser follows with a GET, and a reload does not act again.
                context.Response.StatusCode = StatusCodes.Status303SeeOther;
                context.Response.Headers.Location = back;
                break;
            case { IsNotFound: true }:
                await Layout.ProblemAsync(context, services, StatusCodes.Status404NotFound, "Not done", "The job (or queue) is not there any more, or not in a state that allows it: " + WireText(reply));
                break;
            default:
                await Layout.ProblemAsync(context, services, StatusCodes.Status409Conflict, "Not done", WireText(reply));
                break;
        }
    }

    /// <summary>A line of single-space separated words, as the routes' values must make it too.</summary>
    private static bool IsRequestLine(string line) => line.Split(' ').All(word => word.Length > 0 && IsWord(word));

    /// <summary>The reply's first line as a client would read it, e.g. <c>-CLIENT-ERROR Invalid TTR</c>.</summary>
    private static string WireText(Reply reply)
    {
        string text = Encoding.ASCII.GetString(ReplyWriter.toBytes(reply));
        int end = text.IndexOf('\r');
        return end < 0 ? text : text[..end];
    }
}
