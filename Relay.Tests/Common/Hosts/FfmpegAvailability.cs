using System.Collections.Concurrent;
using System.Net;
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
using Relay.Tests.Common.Media;

namespace Relay.Tests.Common.Hosts;

internal static class FfmpegAvailability
{
    public static void SkipIfMissing() => Tools.RequireOrSkip("ffmpeg");
}
