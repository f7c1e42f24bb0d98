using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using Relay.Chat.Identity;
using Relay.Common.Storage;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// The display-id secret every node shares (<see cref="IdentitySchema"/>, row <c>display-ids</c>): the first node to
/// need it draws it, the others read that one. Kept protected with the shared key ring. Read once, at start, under the
/// catalog's start lock (after the key ring has its key).
/// </summary>
public sealed class PostgresDisplayIdSecret(PostgresDatabase db, IDataProtectionProvider protection) : IDisplayIdSecret
{
    public const string Name = "display-ids";

    private readonly Lazy<byte[]> _secret = new(() => Load(db, protection.CreateProtector("Relay.Cluster.SharedSecrets.v1")));

    public byte[] Secret => _secret.Value;

    private static byte[] Load(PostgresDatabase db, IDataProtector protector)
    {
        using var connection = db.DataSource.OpenConnection();
        using (var draw = new NpgsqlCommand("INSERT INTO shared_secrets(name, value_enc) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING", connection))
        {
            draw.Parameters.AddWithValue("name", Name);
            draw.Parameters.AddWithValue("value", protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            draw.ExecuteNonQuery();
        }
        using var read = new NpgsqlCommand("SELECT value_enc FROM shared_secrets WHERE name = @name", connection);
        read.Parameters.AddWithValue("name", Name);
        return Convert.FromBase64String(protector.Unprotect((string)read.ExecuteScalar()!));
    }
}
