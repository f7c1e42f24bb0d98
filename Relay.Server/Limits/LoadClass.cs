namespace Relay.Server.Limits;

/// <summary>What a request costs, by path: nothing for pages, static files, HLS, health and metrics.</summary>
internal enum LoadClass
{
    None,
    Hub,
    Flv,
    Rest,
}
