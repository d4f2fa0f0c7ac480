using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>Its own worker: what is measured here is how often the app goes back to the issuer.</summary>
public sealed class KeyRotationTests
{
    [Fact]
    public async Task Private_accepts_the_first_token_signed_with_a_rotated_key()
    {
        await using var app = await AppFixture.StartAsync();
        await app.WarmUpAsync();

        var fetchesBefore = app.Issuer.JwksRequests;
        var previous = app.Issuer.SigningKey;
        app.Issuer.RotateKey();

        using var rotated = await app.GetPrivateWithTokenAsync(app.Issuer.CreateToken());
        using var old = await app.GetPrivateWithTokenAsync(app.Issuer.Sign(app.Issuer.NewHeader(previous), app.Issuer.NewPayload(), previous));

        Assert.Equal(200, (int)rotated.StatusCode);
        Assert.Equal(200, (int)old.StatusCode);
        Assert.Equal(fetchesBefore + 1, app.Issuer.JwksRequests);
    }
}
