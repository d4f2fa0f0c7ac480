using Microsoft.Extensions.Options;

namespace FunctionApp.Auth;

/// <summary>Stops start-up with a message naming the first Auth0 setting that is missing or invalid.</summary>
public sealed class Auth0OptionsValidator : IValidateOptions<Auth0Options>
{
    public ValidateOptionsResult Validate(string? name, Auth0Options options) =>
        Auth0Settings.TryCreate(options, out var error) is null
            ? ValidateOptionsResult.Fail(error!)
            : ValidateOptionsResult.Success;
}
