using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relay.Ingest;
using Relay.Ingest.Configuration;
using Relay.Ingest.Gateway;

namespace Relay.Tests.Unit.Ingest.Configuration;

public class IngestOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new IngestOptionsValidator().Validate(null, new IngestOptions()).Succeeded);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_the_key()
    {
        var result = new IngestOptionsValidator().Validate(null, new IngestOptions
        {
            RtmpPort = 70000,
            App = "",
            HandshakeTimeoutSeconds = 0,
            MaxPendingConnectionsPerIp = 100,
            MaxPendingConnections = 10,
            RtmpsPort = 1936,
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Relay:Ingest:RtmpPort", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Relay:Ingest:App", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Relay:Ingest:HandshakeTimeoutSeconds", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Relay:Ingest:MaxPendingConnectionsPerIp", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Relay:Ingest:RtmpsCertificatePath", StringComparison.Ordinal));
        Assert.Equal(5, failures.Count);
    }

    [Theory]
    [InlineData("native", true)]
    [InlineData("ffmpeg", true)]
    [InlineData("Native", false)]
    [InlineData("nginx", false)]
    [InlineData("", false)]
    public void Engine_is_native_or_ffmpeg(string engine, bool valid)
    {
        var result = new IngestOptionsValidator().Validate(null, new IngestOptions { Engine = engine });
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Equal($"Relay:Ingest:Engine must be 'native' or 'ffmpeg' (got '{engine}')", Assert.Single(result.Failures!));
        }
    }

    [Fact]
    public async Task Bad_configuration_stops_startup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Relay:Ingest:RtmpPort"] = "-5", ["Relay:Ingest:App"] = "a/b" });
        builder.Services.AddSingleton<IPublishAuthorizer, RejectAll>();
        builder.Services.AddRelayIngest(builder.Configuration);
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, ex.Failures.Count());
    }

    private sealed class RejectAll : IPublishAuthorizer
    {
        public ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(PublishDecision.Reject(PublishRejectReason.BadKey));
    }
}
