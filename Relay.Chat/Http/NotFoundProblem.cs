using Microsoft.AspNetCore.Http;

namespace Relay.Chat.Http;

/// <summary>404: the thing the route names does not exist.</summary>
public sealed class NotFoundProblem(string title, string? detail = null) : StatusProblem<NotFoundProblem>(title, detail), IProblemStatus
{
    public static int Status => StatusCodes.Status404NotFound;
}
