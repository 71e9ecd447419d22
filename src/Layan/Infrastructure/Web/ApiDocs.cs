namespace Layan.Infrastructure.Web;

/// <summary>The OpenAPI document of every <c>/api/v1</c> endpoint, at <c>/openapi/v1.json</c>.</summary>
internal static class ApiDocs
{
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        // Enums travel by name ("Monday", not 1), in requests and answers alike.
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Layan API";
                document.Info.Description = "The REST API of Layan. Errors are RFC 9457 problem details.";
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }

    /// <summary>
    /// The route group of one API resource, <c>/api/v1/{resource}</c>, with its OpenAPI tag. Features
    /// map their endpoints on it and set authorization and rate limits once, on the group.
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string resource, string tag) =>
        app.MapGroup($"/api/v1/{resource}").WithTags(tag);
}
