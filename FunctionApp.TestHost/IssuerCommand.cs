using System.Text;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.TestHost;

/// <summary>
/// Serves the local Auth0-like issuer on its own, on a fixed port, so that an app run by Azure Functions Core Tools
/// (this one or any other) can be tried without an Auth0 tenant; prints the settings to give it and a token command.
/// </summary>
public static class IssuerCommand
{
    /// <summary>The port the issuer listens on unless told otherwise: next to the 7071 of <c>func start</c>.</summary>
    public const int DefaultPort = 7080;

    /// <summary>Runs until <paramref name="stop"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(int port, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var issuer = await LocalIssuer.StartAsync(Demo.DemoAudience, port);
        await output.WriteLineAsync(Instructions(issuer));
        await output.FlushAsync(CancellationToken.None);
        await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    private static string Instructions(LocalIssuer issuer)
    {
        var text = new StringBuilder($"""

            A local Auth0-like issuer is running at {issuer.Authority}
            (client id {issuer.ClientId}, client secret {issuer.Grant.ClientSecret}).

            1. Point the app at it: these values in local.settings.json's "Values" (or as environment variables),
               then func start:

            """);
        foreach (var (name, value) in issuer.AppSettings())
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"""   "{name}": "{value}",""");
        }

        return text.Append(System.Globalization.CultureInfo.InvariantCulture, $"""

            2. A token (it grants {issuer.Grant.GrantedScope}), and a call with it:
               {Demo.TokenCommand(issuer, "TOKEN")}
               curl -i http://localhost:7071/api/private -H "Authorization: Bearer $TOKEN"

            Press Ctrl+C to stop.
            """).ToString();
    }
}
