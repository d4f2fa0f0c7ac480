using System.Globalization;
using System.Runtime.InteropServices;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.Logging;

const string Usage = """
    Usage: dotnet run --project FunctionApp.TestHost -- demo [--app DIR] [--settings local.settings.json] [--port 7071] [--issuers 2]
           dotnet run --project FunctionApp.TestHost -- issuer [--port 7080]
           dotnet run --project FunctionApp.TestHost -- dpop-proof --key FILE --method METHOD --url URL [--token ACCESS_TOKEN] [--nonce NONCE]

      demo                 build and run the app against an embedded local issuer, and print curl commands
      --app DIR            run the built isolated-worker function app in DIR (its build or publish output) instead
      --settings FILE      run against the Auth0 tenant that FILE's Values name instead
      --port N             the HTTP port on 127.0.0.1 (default 7071, as func start)
      --issuers 2          two local issuers, as one tenant's two custom domains (Auth0__Domain lists both)

      issuer               serve only the local Auth0-like issuer, for an app run by func start, and print its settings
      --port N             its HTTP port on 127.0.0.1 (default 7080)

      dpop-proof           print a DPoP proof (RFC 9449) for one request, to send in its DPoP header
      --key FILE           the client's key, a private JWK; a new ES256 key is saved there if FILE does not exist
      --method METHOD      the request's HTTP method (htm)
      --url URL            the request's URL (htu)
      --token ACCESS_TOKEN the access token the request carries, whose hash the proof holds (ath)
      --nonce NONCE        the nonce the server sent in DPoP-Nonce
    """;

if (args is ["dpop-proof", ..])
{
    return PrintDPoPProof(args);
}

using var stop = new CancellationTokenSource();
// Ctrl+C and SIGTERM both stop the worker (or the issuer) before the process exits, so nothing is left behind.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

if (args is ["issuer", ..])
{
    var issuerPort = IssuerCommand.DefaultPort;
    if (args is not (["issuer"] or ["issuer", "--port", _]) || (args.Length == 3 && !int.TryParse(args[2], CultureInfo.InvariantCulture, out issuerPort)))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    return await IssuerCommand.RunAsync(issuerPort, Console.Out, stop.Token);
}

if (args is not ["demo", ..])
{
    Console.Error.WriteLine(Usage);
    return 2;
}

string? settings = null;
string? app = null;
var port = 7071;
var issuers = 1;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--settings" when i + 1 < args.Length:
            settings = Path.GetFullPath(args[++i]);
            break;
        case "--app" when i + 1 < args.Length:
            app = Path.GetFullPath(args[++i]);
            break;
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out port):
            i++;
            break;
        case "--issuers" when i + 1 < args.Length && args[i + 1] is "1" or "2":
            issuers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

if (app is not null && !File.Exists(Path.Combine(app, "worker.config.json")))
{
    Console.Error.WriteLine($"--app {app}: no worker.config.json there; name the build or publish output folder of an isolated-worker function app.");
    return 2;
}

using var loggers = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
    .AddFilter("Microsoft.Hosting", LogLevel.Warning)
    .AddFilter("Grpc", LogLevel.Warning));
return await Demo.RunAsync(settings, port, issuers, loggers, Console.Out, stop.Token, appDirectory: app);

void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}

static int PrintDPoPProof(string[] args)
{
    var options = new Dictionary<string, string>();
    for (var i = 1; i < args.Length; i += 2)
    {
        if (args[i] is not ("--key" or "--method" or "--url" or "--token" or "--nonce") || i + 1 == args.Length || !options.TryAdd(args[i], args[i + 1]))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    if (!options.TryGetValue("--key", out var keyFile) || !options.TryGetValue("--method", out var method) || !options.TryGetValue("--url", out var url))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    if (!File.Exists(keyFile))
    {
        using var created = DPoPKey.CreateEs256();
        created.Save(keyFile);
    }

    using var key = DPoPKey.Load(keyFile);
    Console.WriteLine(key.CreateProof(method, url, options.GetValueOrDefault("--token"), options.GetValueOrDefault("--nonce")));
    return 0;
}
