namespace Relay.Chat.Identity;

internal enum ParticipantRole { Guest, Viewer, Host, Admin }
