using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relay.Chat;

namespace Relay.Tests.Unit.Chat.Contracts;

/// <summary>The MessagePack options `/hubs/live` really uses: taken from <see cref="ChatServiceCollectionExtensions.AddRelayChat"/>'s
/// registrations (nothing is started or opened), so the tests check the composition, not a copy of it.</summary>
internal static class HubSerializerOptions
{
    public static MessagePackSerializerOptions Configured { get; } = Load();

    public static MessagePackHubProtocol Protocol(MessagePackSerializerOptions options) =>
        new(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = options }));

    private static MessagePackSerializerOptions Load()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRelayChat(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<MessagePackHubProtocolOptions>>().Value.SerializerOptions;
    }
}
