using FunctionApp.TestHost.Hosting;
using FunctionApp.TestHost.Issuer;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost;

/// <summary>
/// The README's first command: runs the app (or, with --app, any built isolated-worker function app) against an embedded
/// local issuer (or, with --settings, against the Auth0 tenant a local.settings.json names) and prints curl commands to
/// try it.
/// </summary>
public static class Demo
{
    public const string DemoAudience = "https://demo.local/api";

    /// <summary>The DPoP key file the printed commands use, relative to the directory they are run from: the repository root.</summary>
    public const string DemoDPoPKeyFile = "dpop-demo-key.json";

    /// <summary>
    /// Runs until <paramref name="stop"/> (exit code 0) or until the worker dies (exit code 1). With
    /// <paramref name="issuers"/> 2, two local issuers stand for a tenant reached through two domains. The printed
    /// DPoP commands keep their key in <paramref name="dpopKeyFile"/>. <paramref name="appDirectory"/> names another
    /// function app's build output to run instead of this repository's.
    /// </summary>
    public static async Task<int> RunAsync(
        string? settingsPath, int port, int issuers, ILoggerFactory loggers, TextWriter output, CancellationToken stop,
        string dpopKeyFile = DemoDPoPKeyFile, string? appDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var locals = new List<LocalIssuer>();
        Dictionary<string, string> settings;
        if (settingsPath is null)
        {
            for (var i = 0; i < issuers; i++)
            {
                locals.Add(await LocalIssuer.StartAsync(DemoAudience));
            }

            settings = locals[0].AppSettings();
            settings["Auth0__Domain"] = string.Join(',', locals.Select(l => l.Authority.AbsoluteUri));
        }
        else
        {
            settings = LocalSettings.Load(settingsPath);
        }

        try
        {
            await using var host = await FunctionsHost.StartAsync(
                new FunctionsHostOptions { AppDirectory = appDirectory ?? FunctionsHostOptions.DefaultAppDirectory, Settings = settings, HttpPort = port },
                loggers);
            await output.WriteLineAsync((locals, appDirectory) switch
            {
                (_, not null) => AppInstructions(host.BaseAddress, appDirectory, host.Routes, locals.FirstOrDefault()),
                ([], _) => TenantInstructions(host.BaseAddress, settings),
                ([var issuer], _) => LocalInstructions(host.BaseAddress, issuer, dpopKeyFile),
                _ => LocalInstructions(host.BaseAddress, locals),
            });
            await output.FlushAsync(CancellationToken.None);

            var stopped = await Task.WhenAny(host.WorkerGone, Task.Delay(Timeout.Infinite, stop)).ConfigureAwait(false);
            if (stopped == host.WorkerGone)
            {
                await output.WriteLineAsync("The worker process exited; the demo stops.").ConfigureAwait(false);
                return 1;
            }

            return 0;
        }
        finally
        {
            foreach (var issuer in locals)
            {
                await issuer.DisposeAsync();
            }
        }
    }

    private static string LocalInstructions(Uri app, LocalIssuer issuer, string dpopKeyFile) => $$"""

        The app is running at {{app}} against a local issuer at {{issuer.Authority}}
        (client id {{issuer.ClientId}}, client secret {{issuer.Grant.ClientSecret}}).

        1. The public endpoint:
           curl -i {{app}}api/public

        2. Get an access token (client-credentials grant, as with Auth0):
           curl -s -X POST {{issuer.Authority}}oauth/token -H 'content-type: application/x-www-form-urlencoded' -d grant_type=client_credentials -d client_id={{issuer.ClientId}} -d client_secret={{issuer.Grant.ClientSecret}} -d audience={{issuer.Audience}}

        3. The private endpoints with that token (it grants {{issuer.Grant.GrantedScope}}):
           {{TokenCommand(issuer, "TOKEN")}}
           curl -i {{app}}api/private -H "Authorization: Bearer $TOKEN"
           curl -i {{app}}api/private-scoped -H "Authorization: Bearer $TOKEN"

        4. DPoP: a token bound to a key only you hold (RFC 9449). Every request carries a new proof, signed with the key in
           {{dpopKeyFile}} (made on first use). The token answer says "token_type":"DPoP"; the token names the key in cnf:
           dpop() { dotnet run --project FunctionApp.TestHost --no-build -- dpop-proof --key {{ShellPath(dpopKeyFile)}} "$@"; }
           curl -s -X POST {{issuer.TokenEndpoint}} -H "DPoP: $(dpop --method POST --url {{issuer.TokenEndpoint}})" -d grant_type=client_credentials -d client_id={{issuer.ClientId}} -d client_secret={{issuer.Grant.ClientSecret}} -d audience={{issuer.Audience}}
           DPOP_TOKEN=$(curl -s -X POST {{issuer.TokenEndpoint}} -H "DPoP: $(dpop --method POST --url {{issuer.TokenEndpoint}})" -d grant_type=client_credentials -d client_id={{issuer.ClientId}} -d client_secret={{issuer.Grant.ClientSecret}} -d audience={{issuer.Audience}} | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
           curl -i {{app}}api/private -H "Authorization: DPoP $DPOP_TOKEN" -H "DPoP: $(dpop --method GET --url {{app}}api/private --token "$DPOP_TOKEN")"

        5. The interactive docs: {{app}}api/docs

        Press Ctrl+C to stop.
        """;

    /// <summary>
    /// The key file as the printed commands name it, double-quoted, so that a path with spaces stays one argument; a
    /// relative one is found from the directory the commands are run in (the TestHost's RunWorkingDirectory).
    /// </summary>
    private static string ShellPath(string path) => $"\"{path}\"";

    private static string LocalInstructions(Uri app, List<LocalIssuer> issuers)
    {
        var text = new System.Text.StringBuilder($"""

            The app is running at {app} against {issuers.Count} local issuers, one tenant's {issuers.Count} domains:
            {string.Join(", ", issuers.Select(i => i.Authority))}. Each verifies only the tokens that name it in iss.

            1. The public endpoint:
               curl -i {app}api/public

            2. A token from each domain, and the private endpoints with it:

            """);
        for (var n = 1; n <= issuers.Count; n++)
        {
            var issuer = issuers[n - 1];
            text.Append(CultureInfo.InvariantCulture, $"""
                   {TokenCommand(issuer, $"TOKEN_{n}")}
                   curl -i {app}api/private -H "Authorization: Bearer $TOKEN_{n}"
                   curl -i {app}api/private-scoped -H "Authorization: Bearer $TOKEN_{n}"

                """);
        }

        return text.Append(CultureInfo.InvariantCulture, $"""
            3. The interactive docs: {app}api/docs

            Press Ctrl+C to stop.
            """).ToString();
    }

    // Another app's routes are known only from its functions; each is shown with and without a token.
    private static string AppInstructions(Uri app, string appDirectory, IReadOnlyList<FunctionRoute> routes, LocalIssuer? issuer)
    {
        var text = new System.Text.StringBuilder($"""

            The app in {appDirectory} is running at {app}
            """);
        text.AppendLine(issuer is null
            ? "against the Auth0 tenant its settings name."
            : $"against a local issuer at {issuer.Authority} (client id {issuer.ClientId}, client secret {issuer.Grant.ClientSecret}).");
        text.AppendLine().AppendLine("1. Its HTTP functions, without a token:");
        foreach (var route in routes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"   curl -i {app}{route.Template}");
        }

        text.AppendLine().AppendLine(issuer is null
            ? "2. With an access token from your tenant:"
            : $"2. With an access token from the local issuer (it grants {issuer.Grant.GrantedScope}):");
        text.AppendLine(issuer is null
            ? "   TOKEN='<YOUR ACCESS TOKEN>'"
            : "   " + TokenCommand(issuer, "TOKEN"));
        foreach (var route in routes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"   curl -i {app}{route.Template} -H \"Authorization: Bearer $TOKEN\"");
        }

        return text.AppendLine().Append("Press Ctrl+C to stop.").ToString();
    }

    /// <summary>
    /// A shell line that asks <paramref name="issuer"/> for a token with the client-credentials grant and keeps the
    /// access token in the variable <paramref name="variable"/>.
    /// </summary>
    internal static string TokenCommand(LocalIssuer issuer, string variable) =>
        $"""{variable}=$(curl -s -X POST {issuer.TokenEndpoint} -d grant_type=client_credentials -d client_id={issuer.ClientId} -d client_secret={issuer.Grant.ClientSecret} -d audience={issuer.Audience} | sed -E 's/.*"access_token":"([^"]+)".*/\1/')""";

    private static string TenantInstructions(Uri app, Dictionary<string, string> settings)
    {
        var domain = settings.GetValueOrDefault("Auth0__Domain", "<YOUR DOMAIN>").Replace("https://", "", StringComparison.Ordinal).TrimEnd('/');
        var audience = settings.GetValueOrDefault("Auth0__ApiAudience", "<YOUR AUDIENCE>");
        return $"""

            The app is running at {app} against the Auth0 tenant {domain}.

            1. The public endpoint:
               curl -i {app}api/public

            2. Get an access token from your tenant (use your API's test application):
               curl -s -X POST https://{domain}/oauth/token -H 'content-type: application/x-www-form-urlencoded' -d grant_type=client_credentials -d 'client_id=<YOUR CLIENT ID>' -d 'client_secret=<YOUR CLIENT SECRET>' -d audience={audience}

            3. The private endpoints with that token (/api/private-scoped needs the permission read:messages):
               curl -i {app}api/private -H 'Authorization: Bearer <YOUR ACCESS TOKEN>'
               curl -i {app}api/private-scoped -H 'Authorization: Bearer <YOUR ACCESS TOKEN>'

            4. The interactive docs: {app}api/docs

            Press Ctrl+C to stop.
            """;
    }
}
