using Microsoft.Extensions.Options;
using Relay.Server.Configuration;

namespace Relay.Server.Cluster;

/// <summary>
/// On a node of a cluster the admin token is configuration: every node must accept the same one, and a token generated
/// into one node's DataDir would be accepted by that node only.
/// </summary>
public sealed class ClusterAdminTokenValidator : IValidateOptions<AuthOptions>
{
    public const string Missing = "Relay:Auth:AdminToken: required on a node of a cluster (set the same token on every node, none is generated per node)";

    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        string.IsNullOrEmpty(options.AdminToken) ? ValidateOptionsResult.Fail(Missing) : ValidateOptionsResult.Success;
}
