using System.Text.RegularExpressions;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Hosting;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.TestHost;

/// <summary>The local issuer on its own: the settings and the token command it prints make an app's private endpoint answer.</summary>
public sealed class IssuerCommandTests
{
    [Fact]
    public async Task The_printed_settings_and_token_command_open_the_private_endpoint_of_an_app_started_apart()
    {
        using var stop = new CancellationTokenSource();
        var output = new DemoInstructions();
        var issuer = IssuerCommand.RunAsync(port: 0, output, stop.Token);
        var lines = await output.LinesAsync();
        var settings = lines
            .Select(l => Regex.Match(l, "^\"(Auth0__[A-Za-z]+)\": \"([^\"]+)\",$"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();

        await using (var app = await FunctionsHost.StartAsync(
            new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = settings }, loggers))
        {
            var call = lines.Single(l => l.StartsWith("curl -i", StringComparison.Ordinal))
                .Replace("http://localhost:7071/", app.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
            var answer = await DemoInstructions.BashAsync(lines.Single(l => l.StartsWith("TOKEN=", StringComparison.Ordinal)) + "\n" + call);

            Assert.Equal(["Auth0__ApiAudience", "Auth0__Domain"], settings.Keys.Order(StringComparer.Ordinal));
            Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
            Assert.Contains("\"gty\":\"client-credentials\"", answer, StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await issuer.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
