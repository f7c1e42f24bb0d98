using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Relay.Chat.Orders;

namespace Relay.Server.Apis.Docs;

/// <summary>The <c>?limit=&amp;cursor=</c> of a list marked <see cref="PagedList"/> (read by <see cref="ListPage"/>, not bound).</summary>
internal sealed class PagedListParameters : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<PagedList>().Any())
        {
            return Task.CompletedTask;
        }
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "limit",
            In = ParameterLocation.Query,
            Description = $"1 to {ListPage.MaxLimit}. With it the answer is `{{items, nextCursor}}` (nextCursor null on the last page); without it, the whole list as an array (v1).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = ListPage.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "cursor",
            In = ParameterLocation.Query,
            Description = "The nextCursor of the previous page (only with limit). An invalid limit or cursor is 400 naming the field.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        return Task.CompletedTask;
    }
}
