namespace Relay.Chat.Identity;

/// <summary>Who is behind a connection once it joined a room.</summary>
internal sealed record Participant(string UserId, string DisplayName, ParticipantRole Role)
{
    /// <summary>A guest that connected without a guest token: its id lives only as long as its connection, so the
    /// connection itself knows everything that id ever did (and moderation falls back on its address).</summary>
    public bool ConnectionScoped { get; init; }

    /// <summary>A signed-in viewer's membership tier (the JWT's `tier` claim); set = member prices apply.</summary>
    public string? Tier { get; init; }

    public bool IsMember => !string.IsNullOrEmpty(Tier);

    public bool IsModerator => Role is ParticipantRole.Host or ParticipantRole.Admin;

    /// <summary>For a host: the generation of the host key it joined with (<see cref="Channels.IHostCredentials"/>).</summary>
    public long? HostKeyGeneration { get; init; }

    public string RoleName => Role switch
    {
        ParticipantRole.Guest => "guest",
        ParticipantRole.Viewer => "viewer",
        ParticipantRole.Host => "host",
        _ => "admin",
    };
}
