using System.Security.Cryptography;
using Workq.Client;
using Workq.Client.Hosting;

/// <summary>Completes a job with the SHA-256 of its payload, in hex.</summary>
sealed class ChecksumHandler(ILogger<ChecksumHandler> logger) : IWorkqJobHandler
{
    public Task<JobOutput> HandleAsync(LeasedJob job, CancellationToken cancellationToken)
    {
        string checksum = Convert.ToHexStringLower(SHA256.HashData(job.Payload.Span));
        logger.LogInformation("checksum of job {Id}: {Checksum}", job.Id, checksum);
        return Task.FromResult<JobOutput>(checksum);
    }
}
