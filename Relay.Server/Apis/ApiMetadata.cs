namespace Relay.Server.Apis;

/// <summary>Endpoint metadata shared by the REST groups, so the OpenAPI document states what every endpoint can answer.</summary>
public static class ApiMetadata
{
    /// <summary>What any endpoint that reads a JSON body can answer: 400 naming the field, 415 for a body that is not JSON.</summary>
    public static RouteHandlerBuilder ProducesBodyErrors(this RouteHandlerBuilder builder) =>
        builder.ProducesValidationProblem().ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
