using FunctionApp.Auth;
using FunctionApp.Tests.Auth;
using FunctionApp.TestHost.Issuer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionApp.Tests.Hosting;

public sealed class BadSettingExitTests
{
    [Fact]
    public async Task A_bad_setting_is_written_as_one_line_the_Functions_host_logs_at_once_as_an_error()
    {
        await using var issuer = await LocalIssuer.StartAsync("https://api.test/");
        using var host = HostWith(issuer, "Auth0__ClockSkewSeconds", "9999");
        using var standardError = new StringWriter();

        host.RunOrReportBadSetting(standardError);

        Assert.Equal(
            "LanguageWorkerConsoleLogError: the worker cannot start: Auth0__ClockSkewSeconds must be between 0 and 300." + Environment.NewLine,
            standardError.ToString());
    }

    [Fact]
    public async Task A_bad_setting_ends_the_run_with_an_exit_code_the_host_reads_as_a_failure()
    {
        await using var issuer = await LocalIssuer.StartAsync("https://api.test/");
        using var host = HostWith(issuer, "Auth0__Domain", "");

        var exitCode = host.RunOrReportBadSetting(TextWriter.Null);

        // The host reads 0 as a clean stop and 200 as a request to restart.
        Assert.NotEqual(0, exitCode);
        Assert.NotEqual(200, exitCode);
    }

    [Fact]
    public async Task A_setting_that_is_not_a_number_is_named_in_one_line()
    {
        await using var issuer = await LocalIssuer.StartAsync("https://api.test/");
        using var host = HostWith(issuer, "Auth0__ClockSkewSeconds", "thirty");
        using var standardError = new StringWriter();

        var exitCode = host.RunOrReportBadSetting(standardError);

        Assert.Equal(1, exitCode);
        // Never the value itself: it could be a secret put in the wrong setting.
        Assert.Equal(
            "LanguageWorkerConsoleLogError: the worker cannot start: Auth0__ClockSkewSeconds must be a whole number." + Environment.NewLine,
            standardError.ToString());
    }

    [Fact]
    public void A_function_declaration_that_cannot_be_honoured_is_named_in_one_line()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHostedService(_ => ProtectedFunctionsCheckTests.Check(
            new ProtectedFunctionsCheckTests.ListedFunctions([ProtectedFunctionsCheckTests.Metadata("both", typeof(MarkedBothWaysFunction), nameof(MarkedBothWaysFunction.Run))]),
            requireByDefault: false));
        using var host = builder.Build();
        using var standardError = new StringWriter();

        var exitCode = host.RunOrReportBadSetting(standardError);

        Assert.Equal(1, exitCode);
        Assert.Equal(
            "LanguageWorkerConsoleLogError: the worker cannot start: Function 'both' is marked both [RequireAccessToken] and [AllowAnonymousAccess]." + Environment.NewLine,
            standardError.ToString());
    }

    private static IHost HostWith(LocalIssuer issuer, string setting, string value)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAuth0TokenValidation(issuer.AppConfiguration(s => s[setting] = value).GetSection("Auth0"));
        return builder.Build();
    }
}
