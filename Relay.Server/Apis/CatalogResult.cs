using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Http;

namespace Relay.Server.Apis;

/// <summary>
/// What a change to the channel catalog answers (<see cref="ApiProblems.From"/>): <typeparamref name="TOk"/>, or the
/// catalog's refusal: 400 naming the field, 404 for an unknown channel or destination, 409 for a clash.
/// </summary>
public sealed class CatalogResult<TOk>(Results<TOk, ValidationProblem, NotFoundProblem, ConflictProblem> result)
    : NamedResults<Results<TOk, ValidationProblem, NotFoundProblem, ConflictProblem>>(result)
    where TOk : IResult;
