using FunctionApp.TestHost.Hosting;
using Microsoft.Extensions.Logging;

using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
await using var host = await FunctionsHost.StartAsync(
    new FunctionsHostOptions { AppDirectory = FunctionsHostOptions.DefaultAppDirectory, Settings = LocalSettings.Load(args[0]), HttpPort = 7071 },
    loggers);
Console.WriteLine(host.BaseAddress);
await host.WorkerGone;
return 1;
