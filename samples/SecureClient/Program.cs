// A client of a server started with -auth-tokens and -tls-cert (the README's "Security"):
// the token and the authority come from the environment, as for the workq tool. Run it
// against such a server:
//   WORKQ_SERVER=localhost:9922 WORKQ_TLS_CA=ca.pem WORKQ_AUTH_TOKEN=... \
//   Workq__Server=localhost:9922 Workq__TlsCaFile=ca.pem Workq__AuthToken=... dotnet run --project samples/SecureClient
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workq.Client;

await using var client = new WorkqClient(new WorkqClientOptions
{
    Server = Environment.GetEnvironmentVariable("WORKQ_SERVER") ?? "workq.internal:9922",
    AuthToken = Environment.GetEnvironmentVariable("WORKQ_AUTH_TOKEN"),
    TlsCaFile = Environment.GetEnvironmentVariable("WORKQ_TLS_CA"),   // null: the system's authorities
    UseTls = true,
});
ServerInfo server = await client.InspectServerAsync();
Console.WriteLine($"a client: {server.ActiveClients} connected");   // a client: 1 connected

// The same from a generic host's configuration (here the environment's Workq__ settings).
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddWorkqClient(o =>
{
    o.Server = builder.Configuration["Workq:Server"] ?? "workq.internal:9922";
    o.AuthToken = builder.Configuration["Workq:AuthToken"];     // Workq__AuthToken in the environment
    o.TlsCaFile = builder.Configuration["Workq:TlsCaFile"];     // null: the system's authorities
    o.UseTls = true;
});
using IHost host = builder.Build();
Guid id = await host.Services.GetRequiredService<WorkqClient>().AddAsync(new BackgroundJob
{
    Name = "secure",
    Ttr = TimeSpan.FromSeconds(5),
    Ttl = TimeSpan.FromMinutes(1),
});
Console.WriteLine($"added through the host's client: {id != Guid.Empty}");   // added through the host's client: True
