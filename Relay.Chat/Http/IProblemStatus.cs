namespace Relay.Chat.Http;

/// <summary>The one HTTP status a <see cref="StatusProblem{TSelf}"/> answers, known from its type alone.</summary>
public interface IProblemStatus
{
    static abstract int Status { get; }
}
