namespace Relay.Server.Channels;

/// <summary>Thrown inside a channel mutation to answer 400 with these field errors.</summary>
public sealed class InvalidInputException(IReadOnlyList<FieldError> errors) : Exception("invalid input")
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
