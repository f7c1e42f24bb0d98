using System.Text;
using Microsoft.Extensions.Options;

namespace Relay.Chat.Configuration;

// Each validator collects every problem so one start shows them all, each naming its full key.

internal sealed class ViewerAuthOptionsValidator : IValidateOptions<ViewerAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ViewerAuthOptions o)
    {
        var errors = new List<string>();
        const string s = ViewerAuthOptions.Section;
        // The key's value never goes into the message.
        if (o.ViewerJwtKey is { Length: > 0 } key && Encoding.UTF8.GetByteCount(key) < 32)
            errors.Add($"{s}:ViewerJwtKey must be at least 32 bytes of UTF-8 text.");
        foreach (var (field, value) in new[] { ("Issuer", o.ViewerJwt.Issuer), ("Audience", o.ViewerJwt.Audience) })
        {
            if (value is null || value.Length == 0) continue;
            if (string.IsNullOrWhiteSpace(value) || value.Trim() != value)
                errors.Add($"{s}:ViewerJwt:{field} must not be blank or have surrounding spaces.");
            else if (string.IsNullOrEmpty(o.ViewerJwtKey))
                errors.Add($"{s}:ViewerJwt:{field} is set but {s}:ViewerJwtKey is not: no viewer JWT is accepted without the key.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
