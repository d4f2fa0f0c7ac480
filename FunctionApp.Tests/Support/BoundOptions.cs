using FunctionApp.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Support;

/// <summary>
/// <see cref="Auth0Options"/> as the worker gets them: the settings (<c>Auth0__Name</c>, as in local.settings.json) on
/// top of a tenant's domain and audience, then what the app's code sets, then checked: options that fail the check
/// throw the <see cref="OptionsValidationException"/> that stops start-up.
/// </summary>
internal static class BoundOptions
{
    public const string Domain = "tenant.auth0.com";
    public const string Audience = "https://api.test/";

    /// <summary>The options of <paramref name="settings"/>, where a null value removes a setting.</summary>
    public static IOptions<Auth0Options> Of(params (string Setting, string? Value)[] settings) => Of(settings, null);

    /// <summary>The options of the domain and audience as <paramref name="code"/> changes them.</summary>
    public static IOptions<Auth0Options> Of(Action<Auth0Options> code) => Of([], code);

    /// <summary>The options of <paramref name="settings"/>, which start-up accepts.</summary>
    public static Auth0Options Accepted(params (string Setting, string? Value)[] settings) => Of(settings).Value;

    /// <summary>The message start-up stops with for <paramref name="settings"/>.</summary>
    public static string Refused(params (string Setting, string? Value)[] settings) =>
        Assert.Throws<OptionsValidationException>(() => Of(settings)).Message;

    public static IOptions<Auth0Options> Of(IEnumerable<(string Setting, string? Value)> settings, Action<Auth0Options>? code)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Auth0__Domain"] = Domain, ["Auth0__ApiAudience"] = Audience };
        foreach (var (setting, value) in settings)
        {
            values[setting] = value;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Where(v => v.Value is not null).Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();
        var services = new ServiceCollection().AddAuth0TokenValidation(configuration.GetSection(Auth0Options.SectionName));
        if (code is not null)
        {
            services.Configure(code);
        }

        using var provider = services.BuildServiceProvider();
        return Options.Create(provider.GetRequiredService<IOptions<Auth0Options>>().Value);
    }
}
