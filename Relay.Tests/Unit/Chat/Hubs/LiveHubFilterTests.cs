using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Chat.Configuration;
using Relay.Chat.Hubs;
using Relay.Tests.Common;

namespace Relay.Tests.Unit.Chat.Hubs;

public sealed class LiveHubFilterTests
{
    /// <summary>A NativeAOT build invokes hub methods by reflection, so a refusal thrown before a method returns its task
    /// (Mute, SetSlowMode, Pin... by a guest) arrives wrapped in a TargetInvocationException. Seen on the published binary:
    /// the guest got `internal_error` and the log an error instead of `forbidden`.</summary>
    [Fact]
    public async Task A_refusal_wrapped_by_reflection_reaches_the_caller_as_itself_and_logs_nothing()
    {
        using var logs = new LogCapture();
        var filter = new LiveHubFilter(Options.Create(new ChatOptions()), TimeProvider.System, new LoggerFactory([logs]).CreateLogger<LiveHubFilter>());
        var refusal = new HubException("forbidden: only the channel's host or an admin may do this");

        var thrown = await Assert.ThrowsAsync<HubException>(async () =>
            await filter.InvokeMethodAsync(Invocation(), _ => throw new TargetInvocationException(refusal)));

        Assert.Same(refusal, thrown);
        logs.AssertNoErrors();
    }

    [Fact]
    public async Task Any_other_failure_is_an_opaque_internal_error_with_the_detail_in_the_log()
    {
        using var logs = new LogCapture();
        var filter = new LiveHubFilter(Options.Create(new ChatOptions()), TimeProvider.System, new LoggerFactory([logs]).CreateLogger<LiveHubFilter>());

        var thrown = await Assert.ThrowsAsync<HubException>(async () =>
            await filter.InvokeMethodAsync(Invocation(), _ => throw new TargetInvocationException(new InvalidOperationException("disk full"))));

        Assert.StartsWith("internal_error: ", thrown.Message);
        Assert.Contains(logs.Errors, line => line.Contains("disk full"));
    }

    private static HubInvocationContext Invocation() =>
        new(new Caller(), new EmptyServices(), new NoHub(), typeof(NoHub).GetMethod(nameof(NoHub.Call))!, []);

    private sealed class NoHub : Hub
    {
        public void Call()
        {
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    /// <summary>A connection without a session: the filter's rate limit does not apply, only its error mapping.</summary>
    private sealed class Caller : HubCallerContext
    {
        public override string ConnectionId => "c1";
        public override string? UserIdentifier => null;
        public override ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;
        public override void Abort()
        {
        }
    }
}
