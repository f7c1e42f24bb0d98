using Microsoft.Extensions.Options;

namespace Relay.Server.Configuration;

public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.AdminToken) && (options.AdminToken.Length < AuthOptions.MinAdminTokenLength || options.AdminToken.Any(char.IsWhiteSpace)))
        {
            failures.Add($"Relay:Auth:AdminToken: must be at least {AuthOptions.MinAdminTokenLength} characters without spaces (or unset to generate one)");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
