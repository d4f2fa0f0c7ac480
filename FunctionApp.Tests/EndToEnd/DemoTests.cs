using System.Buffers.Text;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Issuer;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The README's first command: every curl command the demo prints does what the README says.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Every_printed_bearer_curl_command_works()
    {
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();
        using var stop = new CancellationTokenSource();
        var output = new DemoInstructions();
        var demo = Demo.RunAsync(settingsPath: null, port: 0, issuers: 1, loggers, output, stop.Token);
        var lines = await output.LinesAsync();

        var publicResult = await DemoInstructions.BashAsync(lines.Single(l => l.StartsWith("curl -i", StringComparison.Ordinal) && l.EndsWith("api/public", StringComparison.Ordinal)));
        var tokenResult = await DemoInstructions.BashAsync(lines.Single(l => l.StartsWith("curl -s -X POST", StringComparison.Ordinal) && !l.Contains("DPoP", StringComparison.Ordinal)));
        var token = lines.Single(l => l.StartsWith("TOKEN=", StringComparison.Ordinal));
        var privateResult = await DemoInstructions.BashAsync(token + "\n" + lines.Single(l => l.EndsWith("api/private -H \"Authorization: Bearer $TOKEN\"", StringComparison.Ordinal)));
        var scopedResult = await DemoInstructions.BashAsync(token + "\n" + lines.Single(l => l.Contains("api/private-scoped", StringComparison.Ordinal)));
        await stop.CancelAsync();

        Assert.StartsWith("HTTP/1.1 200", publicResult, StringComparison.Ordinal);
        Assert.EndsWith("""{"status":"success","msg":"Hello from a public endpoint! You don't need to be authenticated to see this."}""", publicResult, StringComparison.Ordinal);
        Assert.Matches("""^\{"access_token":"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+","scope":"read:messages","expires_in":3600,"token_type":"Bearer"\}$""", tokenResult);
        Assert.StartsWith("HTTP/1.1 200", privateResult, StringComparison.Ordinal);
        Assert.Contains("\"gty\":\"client-credentials\"", privateResult, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", scopedResult, StringComparison.Ordinal);
        Assert.Contains("\"scope\":\"read:messages\"", scopedResult, StringComparison.Ordinal);
        Assert.Equal(0, await demo.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task With_two_issuers_the_printed_token_of_each_domain_opens_both_private_endpoints()
    {
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();
        using var stop = new CancellationTokenSource();
        var output = new DemoInstructions();
        var demo = Demo.RunAsync(settingsPath: null, port: 0, issuers: 2, loggers, output, stop.Token);
        var lines = await output.LinesAsync();

        var results = new List<string>();
        foreach (var n in new[] { 1, 2 })
        {
            var token = lines.Single(l => l.StartsWith($"TOKEN_{n}=", StringComparison.Ordinal));
            foreach (var call in lines.Where(l => l.StartsWith("curl -i", StringComparison.Ordinal) && l.EndsWith($"$TOKEN_{n}\"", StringComparison.Ordinal)))
            {
                results.Add(await DemoInstructions.BashAsync(token + "\n" + call));
            }
        }

        await stop.CancelAsync();

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.StartsWith("HTTP/1.1 200", r, StringComparison.Ordinal));
        Assert.Equal(0, await demo.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_printed_DPoP_commands_get_a_bound_token_and_call_the_private_endpoint()
    {
        var keyDirectory = Directory.CreateTempSubdirectory("dpop-demo-");
        try
        {
            var keyFile = Path.Combine(keyDirectory.FullName, Demo.DemoDPoPKeyFile);
            var logs = new CapturedLogs();
            using var loggers = logs.CreateFactory();
            using var stop = new CancellationTokenSource();
            var output = new DemoInstructions();
            var demo = Demo.RunAsync(settingsPath: null, port: 0, issuers: 1, loggers, output, stop.Token, keyFile);
            var lines = await output.LinesAsync();

            var dpop = lines.Single(l => l.StartsWith("dpop()", StringComparison.Ordinal));
            var tokenResult = await DemoInstructions.BashAsync(dpop + "\n" + lines.Single(l => l.StartsWith("curl -s -X POST", StringComparison.Ordinal) && l.Contains("DPoP", StringComparison.Ordinal)));
            var dpopToken = lines.Single(l => l.StartsWith("DPOP_TOKEN=", StringComparison.Ordinal));
            var privateResult = await DemoInstructions.BashAsync(dpop + "\n" + dpopToken + "\n" + lines.Single(l => l.Contains("Authorization: DPoP $DPOP_TOKEN", StringComparison.Ordinal)));
            await stop.CancelAsync();

            using var key = DPoPKey.Load(keyFile);
            var answer = Regex.Match(tokenResult, """^\{"access_token":"[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+","scope":"read:messages","expires_in":3600,"token_type":"DPoP"\}$""");
            Assert.True(answer.Success, tokenResult);
            var claims = JsonNode.Parse(Base64Url.DecodeFromChars(answer.Groups[1].Value))!;
            Assert.Equal(key.Thumbprint, (string?)claims["cnf"]?["jkt"]);
            Assert.StartsWith("HTTP/1.1 200", privateResult, StringComparison.Ordinal);
            Assert.Contains($$"""
                "cnf":{"jkt":"{{key.Thumbprint}}"}
                """, privateResult, StringComparison.Ordinal);
            Assert.Equal(0, await demo.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            keyDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Runs a script from the repository root, where the README runs the demo and its printed dotnet run commands.</summary>
    [Fact]
    public async Task Dotnet_run_of_the_test_host_reads_relative_paths_from_where_it_is_typed()
    {
        var directory = Directory.CreateTempSubdirectory("dpop-run-");
        try
        {
            var configuration = typeof(DemoTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

            var (exitCode, proof, errors) = await ToolProcess.RunAsync(
                "dotnet",
                ["run", "--project", RepositoryFiles.PathOf("FunctionApp.TestHost"), "--no-build", "-c", configuration, "--",
                    "dpop-proof", "--key", "key.json", "--method", "GET", "--url", "http://127.0.0.1:7071/api/private"],
                directory.FullName);

            Assert.True(exitCode == 0, errors);
            Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", proof.Trim());
            Assert.True(File.Exists(Path.Combine(directory.FullName, "key.json")));
            Assert.False(File.Exists(RepositoryFiles.PathOf("FunctionApp.TestHost/key.json")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
