using FunctionApp.Auth;
using FunctionApp.Tests.Support;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Tests.Auth;

/// <summary>The proof check's warm-up: it runs the whole path, up to a signature that cannot verify, and leaves nothing behind.</summary>
public sealed class DPoPWarmUpTests
{
    [Theory]
    [InlineData("Auth0__DPoPMode", "Allowed")]
    [InlineData("Auth0__DPoPMode", "Required")]
    [InlineData("Auth0__DPoPNonceSecret", "a-nonce-secret-of-at-least-32-characters")]
    [InlineData("Auth0__DPoPPublicBaseUrl", "https://api.example.com/orders")]
    public Task Warm_up_runs_every_check_up_to_the_signature_and_remembers_no_proof(string setting, string value) =>
        InProcessValidator.WithAsync(settings => settings[setting] = value, app =>
        {
            var answer = app.Proofs.WarmUp();

            Assert.Same(TokenRejection.ProofSignature, answer);
            Assert.Equal(0, app.Replays.Count);
            return Task.CompletedTask;
        });

    [Fact]
    public Task A_genuine_proof_verifies_after_the_warm_up() =>
        InProcessValidator.WithAsync(_ => { }, async app =>
        {
            using var key = DPoPKey.CreateEs256();
            var token = app.Issuer.CreateBoundToken(key);
            const string Url = "https://app.example/api/private";
            app.Proofs.WarmUp();

            var result = await app.Validator.ValidateAsync(
                new ProtectedRequest("DPoP " + token, key.CreateProof("GET", Url, token), "GET", new Uri(Url)), CancellationToken.None);

            Assert.True(result.IsVerified);
        });

    [Theory]
    [InlineData("Auth0__DPoPMode", "Disabled")]
    [InlineData("Auth0__DPoPAlgorithms", "PS256")]
    public Task Warm_up_does_nothing_when_no_ES256_proof_can_be_accepted(string setting, string value) =>
        InProcessValidator.WithAsync(settings => settings[setting] = value, app =>
        {
            Assert.Null(app.Proofs.WarmUp());
            return Task.CompletedTask;
        });
}
