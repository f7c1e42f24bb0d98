using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relay.Common.Net;
using Relay.Chat.Configuration;
using Relay.Chat.Diagnostics;
using Relay.Chat.Identity;
using Relay.Chat.Rooms;

namespace Relay.Chat.Hubs;

/// <summary>
/// Creates the connection's session, bounds how fast one connection may call, counts connections,
/// and turns unexpected failures into an opaque `internal_error` (the detail goes to the log only).
/// </summary>
internal sealed class LiveHubFilter(IOptions<ChatOptions> options, TimeProvider time, ILogger<LiveHubFilter> logger) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var http = context.Context.GetHttpContext();
        var likeRate = Math.Max(1, o.MaxLikeCallsPerSecond);
        context.Context.Items[ConnectionSession.ItemKey] = new ConnectionSession(
            context.Context.ConnectionId,
            AccessToken(http),
            GuestTokens.NewGuestId(),
            ClientAddressKey.Hash(http?.Connection.RemoteIpAddress),
            new TokenBucket(o.MaxCallsPerSecond, o.MaxCallsPerSecond, now),
            new TokenBucket(o.RateLimitMessages, o.RateLimitMessages / o.RateLimitWindowSeconds, now))
        {
            LikeCalls = new TokenBucket(likeRate, likeRate, now),
        };
        ChatMetrics.HubConnections.Inc();
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ChatMetrics.HubConnections.Dec();
        await next(context, exception);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (context.Context.Items.TryGetValue(ConnectionSession.ItemKey, out var item) && item is ConnectionSession session
            && !session.Calls.TryTake(time.GetUtcNow(), out var wait))
            throw Refusal.Create(Refusal.RateLimited, $"too many calls, {Refusal.WaitHint(wait)}");
        try
        {
            return await next(context);
        }
        catch (HubException)
        {
            throw;
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is HubException refusal)
        {
            // NativeAOT: SignalR calls hub methods through MethodInfo.Invoke there (it cannot compile an invoker), which
            // wraps a refusal thrown before the method returns its task; the caller must still get the refusal.
            ExceptionDispatchInfo.Throw(refusal);
            throw;
        }
        catch (OperationCanceledException) when (context.Context.ConnectionAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Log.HubCallFailed(logger, context.HubMethodName, ex);
            throw Refusal.Create(Refusal.Internal, "the call failed on the server; nothing was changed unless an event said so");
        }
    }

    // WebSockets and SSE carry the token in the query string (browsers cannot set headers there);
    // long polling and .NET clients may send the Authorization header instead.
    private static string? AccessToken(HttpContext? http)
    {
        if (http is null) return null;
        var query = http.Request.Query["access_token"].ToString();
        if (query.Length > 0) return query;
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
