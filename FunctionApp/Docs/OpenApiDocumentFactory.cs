using System.Net;
using System.Reflection;
using System.Text.Json.Serialization;
using FunctionApp.Auth;
using FunctionApp.Endpoints;
using FunctionApp.Http;
using Microsoft.OpenApi;

namespace FunctionApp.Docs;

/// <summary>
/// Builds the OpenAPI document from the function catalog and the error contract: adding a function, or protecting
/// one, changes the docs with no second edit.
/// </summary>
public static class OpenApiDocumentFactory
{
    public const string BearerScheme = "bearer";

    public static OpenApiDocument Create(FunctionCatalog catalog, Auth0Settings settings)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(settings);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "Azure Functions API secured by Auth0",
                Version = "1.0",
                Description = "A port of Auth0's FastAPI sample. Protected operations need an Auth0 access token for the audience "
                    + settings.Audience + ".",
            },
            Paths = [],
            Components = new OpenApiComponents { Schemas = new Dictionary<string, IOpenApiSchema>() },
        };
        document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An Auth0 access token (RS256) issued by " + settings.Issuer,
        });

        foreach (var endpoint in catalog.Endpoints.Where(e => e.Documented))
        {
            var item = new OpenApiPathItem();
            foreach (var method in endpoint.Methods)
            {
                item.AddOperation(new HttpMethod(method.ToUpperInvariant()), Operation(document, endpoint, settings.ErrorContract));
            }

            document.Paths.Add(endpoint.Path, item);
        }

        return document;
    }

    private static OpenApiOperation Operation(OpenApiDocument document, FunctionEndpoint endpoint, ErrorContract contract)
    {
        var operation = new OpenApiOperation
        {
            OperationId = endpoint.Name,
            Summary = endpoint.Summary,
            Responses = new OpenApiResponses
            {
                ["200"] = Json("Success", endpoint.ResponseBody is null ? AnyObject() : Schema(document, endpoint.ResponseBody)),
            },
        };
        if (endpoint.Requirement is not { } requirement)
        {
            return operation;
        }

        operation.Description = requirement.Permissions.Count == 0
            ? "Needs a valid access token."
            : "Needs a valid access token granting: " + string.Join(", ", requirement.Permissions) + " (in its scope claim or permissions array).";
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        foreach (var (status, description, bodies) in Rejections(contract, requirement.Permissions.Count > 0))
        {
            var schemas = bodies.Select(body => (IOpenApiSchema)Schema(document, body)).ToList();
            operation.Responses[((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                Json(description, schemas.Count == 1 ? schemas[0] : new OpenApiSchema { OneOf = schemas });
        }

        return operation;
    }

    // The answers RejectionResponses gives under each contract, by status.
    private static IEnumerable<(HttpStatusCode Status, string Description, Type[] Bodies)> Rejections(ErrorContract contract, bool needsPermissions)
    {
        if (contract == ErrorContract.Sample)
        {
            yield return (HttpStatusCode.BadRequest, "The token failed verification", [typeof(StatusMessage)]);
            yield return (HttpStatusCode.Forbidden, needsPermissions
                ? "No usable bearer credential, or a required permission is missing"
                : "No usable bearer credential", needsPermissions ? [typeof(DetailMessage), typeof(StatusMessage)] : [typeof(DetailMessage)]);
            yield return (HttpStatusCode.ServiceUnavailable, "Signing keys are unavailable; retry after Retry-After", [typeof(StatusMessage)]);
            yield break;
        }

        yield return (HttpStatusCode.Unauthorized, "No usable bearer credential, or the token failed verification", [typeof(OAuthError)]);
        if (needsPermissions)
        {
            yield return (HttpStatusCode.Forbidden, "A required permission is missing", [typeof(OAuthError)]);
        }

        yield return (HttpStatusCode.ServiceUnavailable, "Signing keys are unavailable; retry after Retry-After", [typeof(OAuthError)]);
    }

    private static OpenApiResponse Json(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
    };

    private static OpenApiSchema AnyObject() => new() { Type = JsonSchemaType.Object, Description = "The token's claims, as it carries them" };

    // A component schema for one of the API's own body records: string properties named as they serialise.
    private static OpenApiSchemaReference Schema(OpenApiDocument document, Type body)
    {
        if (!document.Components!.Schemas!.ContainsKey(body.Name))
        {
            var properties = body.GetProperties()
                .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name)
                .ToArray();
            document.AddComponent<IOpenApiSchema>(body.Name, new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = properties.ToDictionary(name => name, IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.String }),
                Required = properties.ToHashSet(),
            });
        }

        return new OpenApiSchemaReference(body.Name, document);
    }
}
