using FunctionApp.Auth;
using FunctionApp.Docs;
using FunctionApp.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Every HTTP function answers only callers with a valid Auth0 access token (settings: Auth0__*), unless it is marked
// [AllowAnonymousAccess]; [RequireAccessToken("permission")] asks for more.
builder.UseAuth0AccessTokens(options => options.RequireAccessTokenByDefault = true);

// The OpenAPI document and Swagger UI, generated from the functions' declarations.
builder.Services.AddApiDocs();

// Logs, metrics and traces to Application Insights and/or OTLP, when their settings are there.
builder.AddAppTelemetry();

// A bad setting ends the worker with one line naming it, in the form the Functions host shows at once.
return builder.Build().RunOrReportBadSetting(Console.Error);
