namespace Relay.Server.Configuration;

public sealed class DemoOptions
{
    public bool CreateOnFirstStart { get; set; } = true;
}
