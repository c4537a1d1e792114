using Workq.Host.Security;

namespace Workq.Host.Network;

/// <summary>What a connection checks of its client: TLS (with client certificates, if asked for) and tokens.</summary>
internal sealed record ConnectionSecurity(ServerTls Tls, AuthTokens Tokens);
