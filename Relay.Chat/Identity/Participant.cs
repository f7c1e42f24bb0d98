namespace Relay.Chat.Identity;

public enum ParticipantRole { Guest, Viewer, Host, Admin }

/// <summary>Who is behind a connection once it joined a room.</summary>
public sealed record Participant(string UserId, string DisplayName, ParticipantRole Role)
{
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
