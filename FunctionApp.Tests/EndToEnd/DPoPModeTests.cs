using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>The worker started with <c>Auth0__DPoPMode=Required</c>.</summary>
public sealed class DPoPRequiredFixture : AppFixture
{
    public DPoPRequiredFixture() => Configure = settings => settings["Auth0__DPoPMode"] = "Required";
}

/// <summary>The worker started with <c>Auth0__DPoPMode=Disabled</c>.</summary>
public sealed class DPoPDisabledFixture : AppFixture
{
    public DPoPDisabledFixture() => Configure = settings => settings["Auth0__DPoPMode"] = "Disabled";
}

/// <summary>DPoP required: bearer tokens are refused, bound tokens with proofs work, and the challenge offers only DPoP.</summary>
public sealed class DPoPRequiredTests(DPoPRequiredFixture app) : IClassFixture<DPoPRequiredFixture>
{
    [Fact]
    public async Task A_bearer_token_is_refused_as_credentials_of_the_wrong_scheme()
    {
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"DPoP is required"}""");
        Assert.Equal([ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task A_missing_token_is_challenged_for_DPoP_only()
    {
        using var response = await app.GetPrivateAsync(null);

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Not authenticated"}""");
        Assert.Equal([ResponseAssert.DPoPChallenge], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task A_bound_token_with_a_valid_proof_gets_the_claims()
    {
        using var key = DPoPKey.CreateEs256();

        using var response = await app.GetWithDPoPAsync(key, app.Issuer.CreateBoundToken(key));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task An_invalid_proof_is_challenged_for_DPoP_only()
    {
        using var key = DPoPKey.CreateEs256();
        var token = app.Issuer.CreateBoundToken(key);

        using var response = await app.GetWithDPoPAsync(token, [key.CreateProof("POST", app.UrlOf("api/private"), token)]);

        await ResponseAssert.JsonAsync(response, 400, """{"status":"error","msg":"DPoP proof htm does not match the request method"}""");
        Assert.Equal(["DPoP error=\"invalid_dpop_proof\", error_description=\"DPoP proof htm does not match the request method\", algs=\"ES256\""],
            ResponseAssert.Challenges(response));
    }
}

/// <summary>DPoP disabled: the DPoP scheme is an unknown scheme, and a bound token is still refused as a bearer token.</summary>
public sealed class DPoPDisabledTests(DPoPDisabledFixture app) : IClassFixture<DPoPDisabledFixture>
{
    [Fact]
    public async Task The_DPoP_scheme_is_refused_as_an_unknown_scheme_with_a_bearer_only_challenge()
    {
        using var key = DPoPKey.CreateEs256();

        using var response = await app.GetWithDPoPAsync(key, app.Issuer.CreateBoundToken(key));

        await ResponseAssert.JsonAsync(response, 403, """{"detail":"Invalid authentication credentials"}""");
        Assert.Equal(["Bearer"], ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task A_token_bound_to_a_key_is_refused_as_a_bearer_token()
    {
        using var key = DPoPKey.CreateEs256();

        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateBoundToken(key));

        await ResponseAssert.JsonAsync(response, 400, """{"status":"error","msg":"Token is bound to a key; send it with the DPoP scheme and a proof"}""");
        Assert.Equal(["Bearer error=\"invalid_token\", error_description=\"Token is bound to a key; send it with the DPoP scheme and a proof\""],
            ResponseAssert.Challenges(response));
    }

    [Fact]
    public async Task A_bearer_token_gets_the_claims_as_before()
    {
        using var response = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());

        Assert.Equal(200, (int)response.StatusCode);
    }
}
