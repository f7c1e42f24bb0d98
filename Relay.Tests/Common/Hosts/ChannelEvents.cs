using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Ingest;
using Relay.Ingest.Consumers;
using Relay.Ingest.Configuration;
using Relay.Ingest.Ffmpeg;
using Relay.Ingest.Consumers.HttpFlv;
using Relay.Ingest.Publishing;
using Relay.Ingest.Streams;

namespace Relay.Tests.Common.Hosts;

/// <summary>Records live/offline notifications in order.</summary>
internal sealed class ChannelEvents : ILiveChannelObserver
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> All => [.. _events];

    public void ChannelLive(string channelId) => _events.Enqueue($"live:{channelId}");

    public void ChannelOffline(string channelId) => _events.Enqueue($"offline:{channelId}");
}
