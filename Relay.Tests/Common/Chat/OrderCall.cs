using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Relay.Chat.Orders;

namespace Relay.Tests.Common.Chat;

/// <summary>One POST as the order API received it; <see cref="Attempt"/> counts the key's POSTs from 1.</summary>
public sealed record OrderCall(string Key, int Attempt, OrderApiRequest Order, string Authorization);
