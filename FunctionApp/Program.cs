using FunctionApp.Auth;
using FunctionApp.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

builder.Services.AddAuth0AccessTokens(builder.Configuration, typeof(PrivateFunction).Assembly);
builder.UseMiddleware<AccessTokenMiddleware>();

builder.Build().Run();
