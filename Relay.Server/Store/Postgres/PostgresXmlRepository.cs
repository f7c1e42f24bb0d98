using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using Relay.Common.Storage;

namespace Relay.Server.Store.Postgres;

/// <summary>
/// The Data Protection key ring in PostgreSQL (<see cref="IdentitySchema"/>), so a secret or a guest token
/// protected on one node is unprotected on every other. The framework calls it synchronously and rarely (at start,
/// when a key is created, when its cached ring expires), so the calls are synchronous.
/// </summary>
public sealed class PostgresXmlRepository(PostgresDatabase db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.DataSource.OpenConnection();
        using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY stored_at, name", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.DataSource.OpenConnection();
        // A name is unique per element (the framework names keys "key-{id}"); a second store of the same name keeps the first.
        using var command = new NpgsqlCommand("INSERT INTO data_protection_keys(name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING", connection);
        command.Parameters.AddWithValue("name", string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
