using Relay.Server.Security;

namespace Relay.Server.Channels;

/// <summary>The channel a first start creates so there is something to stream to and shop from.</summary>
public static class DemoChannel
{
    public const string Id = "demo";

    public static ChannelDefinition Create(DateTimeOffset now) => new(
        Id,
        "Relay demo show",
        Secrets.NewKey(ChannelService.StreamKeyPrefix),
        Secrets.NewKey(ChannelService.HostKeyPrefix),
        false,
        false,
        now,
        [],
        [
            new("TEE-001", "Relay logo tee", 2500, "USD", "/img/demo/tee.svg", 50),
            new("MUG-002", "Stream-proof mug", 1800, "USD", "/img/demo/mug.svg", 30),
            new("CAP-003", "Live host cap", 2200, "USD", "/img/demo/cap.svg", 20),
            new("STICKER-004", "Sticker pack", 500, "USD", "/img/demo/sticker.svg", null),
        ]);
}
