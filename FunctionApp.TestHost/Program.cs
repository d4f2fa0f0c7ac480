using System.Globalization;
using System.Runtime.InteropServices;
using FunctionApp.TestHost;
using Microsoft.Extensions.Logging;

const string Usage = """
    Usage: dotnet run --project FunctionApp.TestHost -- demo [--settings local.settings.json] [--port 7071] [--issuers 2]

      demo                 build and run the app against an embedded local issuer, and print curl commands
      --settings FILE      run against the Auth0 tenant that FILE's Values name instead
      --port N             the HTTP port on 127.0.0.1 (default 7071, as func start)
      --issuers 2          two local issuers, as one tenant's two custom domains (Auth0__Domain lists both)
    """;

if (args is not ["demo", ..])
{
    Console.Error.WriteLine(Usage);
    return 2;
}

string? settings = null;
var port = 7071;
var issuers = 1;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--settings" when i + 1 < args.Length:
            settings = Path.GetFullPath(args[++i]);
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

using var loggers = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
    .AddFilter("Microsoft.Hosting", LogLevel.Warning)
    .AddFilter("Grpc", LogLevel.Warning));
using var stop = new CancellationTokenSource();
// Ctrl+C and SIGTERM both stop the worker before the host exits, so no worker is left behind.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await Demo.RunAsync(settings, port, issuers, loggers, Console.Out, stop.Token);

void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}
