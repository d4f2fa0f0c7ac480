using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json.Serialization;
using FunctionApp.Auth;
using Microsoft.OpenApi;

namespace FunctionApp.Docs;

/// <summary>
/// Builds the OpenAPI document from the function catalog and the answers of the error contract in force: adding a
/// function, or protecting one, changes the docs with no second edit.
/// </summary>
internal static class OpenApiDocumentFactory
{
    public const string BearerScheme = "bearer";
    public const string DPoPScheme = "dpop";

    public static OpenApiDocument Create(FunctionCatalog catalog, Auth0Options options, ErrorContractAnswers answers, string basePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(answers);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "Azure Functions API secured by Auth0",
                Version = "1.0",
                Description = "A port of Auth0's FastAPI sample. Protected operations need an Auth0 access token for "
                    + (options.Audiences.Length == 1 ? "the audience " : "one of the audiences ") + string.Join(", ", options.Audiences) + ".",
            },
            // The paths carry the base path themselves, so the server is the host the document was served from.
            Servers = [new OpenApiServer { Url = "/" }],
            Paths = [],
            Components = new OpenApiComponents { Schemas = new Dictionary<string, IOpenApiSchema>() },
        };
        var token = "an Auth0 access token (" + string.Join(", ", options.Algorithms) + ") issued by "
            + string.Join(" or ", options.TenantDomains.Select(d => d.Issuer));
        if (options.DPoPMode != DPoPMode.Required)
        {
            document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "Bearer: " + token + (options.DPoPMode == DPoPMode.Allowed ? "; a token bound to a key must use DPoP" : string.Empty),
            });
        }

        if (options.DPoPMode != DPoPMode.Disabled)
        {
            // RFC 9449 registers the DPoP scheme; a proof is made for one request, so Swagger UI cannot make it.
            document.AddComponent<IOpenApiSecurityScheme>(DPoPScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "DPoP",
                Description = "DPoP (RFC 9449): " + token + ", bound to the client's key (cnf.jkt), sent as `Authorization: DPoP <token>` "
                    + "with a new proof in the `DPoP` header on every request (" + string.Join(", ", options.DPoPAlgorithms) + ")"
                    + (options.DPoPNonceKey is null ? "." : "; proofs carry the nonce of the last `DPoP-Nonce` answer header."),
            });
        }

        foreach (var endpoint in catalog.Endpoints.Where(e => e.Documented))
        {
            var item = new OpenApiPathItem();
            foreach (var method in endpoint.Methods)
            {
                item.AddOperation(new HttpMethod(method.ToUpperInvariant()), Operation(document, endpoint, options, answers));
            }

            document.Paths.Add(basePath + "/" + endpoint.Route, item);
        }

        return document;
    }

    private static OpenApiOperation Operation(OpenApiDocument document, FunctionEndpoint endpoint, Auth0Options options, ErrorContractAnswers answers)
    {
        var mode = options.DPoPMode;
        var operation = new OpenApiOperation
        {
            OperationId = endpoint.Name,
            Summary = endpoint.Summary,
            Responses = new OpenApiResponses
            {
                ["200"] = Json("Success", endpoint.ResponseBody is null ? AnyObject() : Schema(document, endpoint.ResponseBody)),
            },
        };
        if (endpoint.Permissions is not { } permissions)
        {
            // An empty list states that the operation is anonymous on purpose, not that its security was forgotten.
            operation.Security = [];
            return operation;
        }

        operation.Description = permissions.Count == 0
            ? "Needs a valid access token."
            : "Needs a valid access token granting: " + string.Join(", ", permissions) + " (in its scope claim or permissions array).";
        // Alternatives: either scheme the mode accepts will do.
        operation.Security = new[] { (BearerScheme, mode != DPoPMode.Required), (DPoPScheme, mode != DPoPMode.Disabled) }
            .Where(scheme => scheme.Item2)
            .Select(scheme => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme.Item1, document)] = [] })
            .ToList();
        if (mode != DPoPMode.Disabled)
        {
            operation.Parameters =
            [
                new OpenApiParameter
                {
                    Name = "DPoP",
                    In = ParameterLocation.Header,
                    Required = mode == DPoPMode.Required,
                    Description = "The DPoP proof for this request (RFC 9449 4), with Authorization: DPoP <token>.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            ];
        }

        // The answers the middleware gives, grouped by status, as the error contract states them.
        var rejections = TokenRejection.All
            .Where(r => (permissions.Count > 0 || !r.IsInsufficientScope) && r.AppliesTo(options))
            .GroupBy(answers.Status)
            .OrderBy(g => g.Key);
        foreach (var byStatus in rejections)
        {
            var schemas = byStatus
                .Select(answers.Describe)
                .DistinctBy(body => body.SchemaName)
                .Select(body => (IOpenApiSchema)Schema(document, [.. body.Members.Select(m => m.Name)], body.SchemaName))
                .ToList();
            var description = string.Join("; ", byStatus.Select(r => r.Reason))
                + (byStatus.Any(r => r.RetryLater) ? " (retry after Retry-After)" : string.Empty);
            operation.Responses[((int)byStatus.Key).ToString(CultureInfo.InvariantCulture)] =
                Json(description, schemas.Count == 1 ? schemas[0] : new OpenApiSchema { OneOf = schemas });
        }

        return operation;
    }

    private static OpenApiResponse Json(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
    };

    private static OpenApiSchema AnyObject() => new() { Type = JsonSchemaType.Object, Description = "The token's claims, as it carries them" };

    // A component schema for one of the API's own body records: string properties named as they serialise.
    private static OpenApiSchemaReference Schema(OpenApiDocument document, Type body) =>
        Schema(document, body.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name).ToArray(), body.Name);

    private static OpenApiSchemaReference Schema(OpenApiDocument document, IReadOnlyList<string> properties, string name)
    {
        if (!document.Components!.Schemas!.ContainsKey(name))
        {
            document.AddComponent<IOpenApiSchema>(name, new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = properties.ToDictionary(p => p, IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.String }),
                Required = properties.ToHashSet(),
            });
        }

        return new OpenApiSchemaReference(name, document);
    }
}
