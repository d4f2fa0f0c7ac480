using FunctionApp.Auth;
using FunctionApp.Docs;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Functions marked [RequireAccessToken] answer only callers with a valid Auth0 access token (settings: Auth0__*).
builder.UseAuth0AccessTokens();

// The OpenAPI document and Swagger UI, generated from the functions' declarations.
builder.Services.AddApiDocs();

builder.Build().Run();
