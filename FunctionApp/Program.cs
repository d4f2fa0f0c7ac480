using FunctionApp.Auth;
using FunctionApp.Docs;
using FunctionApp.Endpoints;
using FunctionApp.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Every HTTP function's route, protection and docs, read once from the declarations in this assembly.
builder.Services.AddSingleton(new FunctionCatalog(
    typeof(PublicFunction).Assembly, HostJson.ReadRoutePrefix(AppContext.BaseDirectory)));
builder.Services.AddAuth0AccessTokens(builder.Configuration);
builder.Services.AddApiDocs();
builder.UseMiddleware<AccessTokenMiddleware>();

builder.Build().Run();
