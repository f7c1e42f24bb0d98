using Relay.Server.Security;
using Relay.Common.Files;
using Relay.Server.Configuration;

namespace Relay.Server.Access;

/// <summary>
/// The admin bearer token: <c>Relay:Auth:AdminToken</c> when set; otherwise generated once,
/// kept in DataDir/admin-token (mode 600) and printed only on the start that generated it.
/// </summary>
public sealed class AdminToken
{
    public const string FileName = "admin-token";


    private string? _value;

    public string Value => _value ?? throw new InvalidOperationException("The admin token is read during startup.");

    /// <summary>True when this start generated the token (so the banner prints it once).</summary>
    public bool GeneratedNow { get; private set; }

    public string Source { get; private set; } = "";

    public bool Matches(string? presented) => Secrets.Matches(presented, _value);

    public async Task LoadAsync(AuthOptions auth, string dataDir, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(auth.AdminToken))
        {
            _value = auth.AdminToken;
            Source = "Relay:Auth:AdminToken";
            return;
        }
        var path = Path.Combine(dataDir, FileName);
        Source = path;
        if (File.Exists(path))
        {
            _value = (await File.ReadAllTextAsync(path, ct)).Trim();
            if (_value.Length >= AuthOptions.MinAdminTokenLength)
            {
                return;
            }
            if (_value.Length > 0)
            {
                // Someone wrote a weak token there by hand: refuse rather than silently replace it.
                throw new StartupException($"{path}: the admin token there is shorter than {AuthOptions.MinAdminTokenLength} characters; put a longer one there, or delete the file to have one generated");
            }
        }
        _value = Secrets.NewKey("at_");
        await OwnerOnly.WriteAllTextAsync(path, _value + "\n", ct);
        GeneratedNow = true;
    }
}
