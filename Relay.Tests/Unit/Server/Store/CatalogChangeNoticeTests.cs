using System.Net.Sockets;
using Npgsql;
using Relay.Server.Cluster;
using Relay.Server.Configuration;
using Relay.Server.Store.Postgres;

namespace Relay.Tests.Unit.Server.Store;

/// <summary>The pure pieces of the catalog on PostgreSQL: the change notice, the startup reason, the admin token rule.</summary>
public sealed class CatalogChangeNoticeTests
{
    [Fact]
    public void A_notice_names_its_origin_and_channel_and_anything_else_is_ignored()
    {
        var payload = CatalogChangeNotice.Format("0a1b2c3d4e5f6789", "spring-show");
        Assert.Equal("0a1b2c3d4e5f6789 spring-show", payload);
        Assert.True(CatalogChangeNotice.TryParse(payload, out var origin, out var channelId));
        Assert.Equal(("0a1b2c3d4e5f6789", "spring-show"), (origin, channelId));
        foreach (var bad in new[] { null, "", "no-space", " leading", "trailing " })
        {
            Assert.False(CatalogChangeNotice.TryParse(bad, out _, out _));
        }
    }

    [Fact]
    public void The_startup_reason_is_short_and_only_for_database_failures()
    {
        Assert.Equal("Connection refused",
            PostgresFailure.Reason(new NpgsqlException("Failed to connect to 127.0.0.1:1", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.Equal("timed out", PostgresFailure.Reason(new NpgsqlException("Exception while connecting", new TimeoutException())));
        Assert.Equal("Failed to connect to 127.0.0.1:1", PostgresFailure.Reason(new NpgsqlException("Failed to connect to 127.0.0.1:1.")));
        Assert.Null(PostgresFailure.Reason(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void A_node_of_a_cluster_needs_the_admin_token_in_configuration()
    {
        var validator = new ClusterAdminTokenValidator();
        var failed = validator.Validate(null, new AuthOptions());
        Assert.True(failed.Failed);
        Assert.StartsWith("Relay:Auth:AdminToken: ", Assert.Single(failed.Failures!));
        Assert.DoesNotContain(";", failed.FailureMessage);
        Assert.True(validator.Validate(null, new AuthOptions { AdminToken = "admin-token-0123456789abcdef" }).Succeeded);
    }
}
