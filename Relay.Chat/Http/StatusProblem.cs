using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Relay.Chat.Http;

/// <summary>
/// A problem+json answer whose status is part of its type, so a handler's <c>Results&lt;…&gt;</c> signature tells the
/// OpenAPI document which errors it returns. <see cref="ProblemHttpResult"/> cannot: its status is only known at run
/// time. The answer on the wire is the one <see cref="TypedResults.Problem(string?, string?, int?, string?, string?, IDictionary{string, object?}?)"/>
/// writes: it is that result, executed.
/// </summary>
/// <typeparam name="TSelf">The subclass, which names its status once (<see cref="IProblemStatus.Status"/>).</typeparam>
public abstract class StatusProblem<TSelf> : IResult, IStatusCodeHttpResult, IContentTypeHttpResult,
    IValueHttpResult, IValueHttpResult<ProblemDetails>
    where TSelf : StatusProblem<TSelf>, IProblemStatus
{
    private readonly ProblemHttpResult _problem;

    protected StatusProblem(string title, string? detail) =>
        _problem = TypedResults.Problem(detail: detail, statusCode: TSelf.Status, title: title);

    public ProblemDetails ProblemDetails => _problem.ProblemDetails;

    public int? StatusCode => _problem.StatusCode;

    public string ContentType => _problem.ContentType;

    object? IValueHttpResult.Value => ProblemDetails;

    ProblemDetails? IValueHttpResult<ProblemDetails>.Value => ProblemDetails;

    public Task ExecuteAsync(HttpContext httpContext) => _problem.ExecuteAsync(httpContext);

    /// <summary>What each subclass's <c>IEndpointMetadataProvider.PopulateMetadata</c> declares. The subclass implements
    /// the interface itself: under NativeAOT the framework finds that static method by reflection on the result type
    /// alone, not on a base class (ResultTypesTests).</summary>
    protected static void DescribeProblem(EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(TSelf.Status, typeof(ProblemDetails), ["application/problem+json"]));
}
