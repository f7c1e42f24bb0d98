using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relay.Ingest;
using Relay.Ingest.Configuration;
using Relay.Ingest.Publishing;

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
    [InlineData("native")]
    [InlineData("ffmpeg")]
    public async Task The_removed_engine_setting_stops_startup_with_one_line_saying_so(string engine)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Relay:Ingest:Engine"] = engine });
        builder.Services.AddSingleton<IPublishAuthorizer, RejectAll>();
        builder.Services.AddRelayIngest(builder.Configuration);
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        var line = Assert.Single(ex.Failures);
        Assert.Equal(
            "Relay:Ingest:Engine was removed, delete the setting: the native RTMP engine is the only ingest engine (the ffmpeg one is gone, see docs/ingest.md)",
            line);
        Assert.DoesNotContain("; ", line, StringComparison.Ordinal); // Program's StartupErrors splits failures on "; "
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
