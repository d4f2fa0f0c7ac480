namespace FunctionApp.Auth;

/// <summary>Code of the app's own that the protection runs at two points of a request, as JwtBearerEvents does for ASP.NET Core.</summary>
public class AccessTokenEvents
{
    /// <summary>
    /// After the token (and a DPoP token's proof) has been verified, before the function's permissions are checked: add
    /// a check of the app's own and <see cref="TokenValidatedContext.Fail"/> the token, or add claims to the caller.
    /// Runs on every request, also for a token found in the memory of verified tokens.
    /// </summary>
    public Func<TokenValidatedContext, Task> OnTokenValidated { get; set; } = _ => Task.CompletedTask;

    /// <summary>
    /// Before a rejection is written: write an answer of the app's own and <see cref="RejectingContext.Respond"/> with
    /// it, or leave the documented one. The rejection is logged and counted either way.
    /// </summary>
    public Func<RejectingContext, Task> OnRejecting { get; set; } = _ => Task.CompletedTask;
}
