using System.Net;
using System.Text;
using FunctionApp.Auth;

namespace FunctionApp.Tests.Auth;

/// <summary>The rejections' statuses and bodies under each error contract: the DPoP ones, and the one 403 of RFC 6750.</summary>
public sealed class TokenRejectionStatusTests
{
    [Fact]
    public void DPoP_required_is_a_403_detail_under_the_sample_and_a_401_invalid_request_under_RFC_6750()
    {
        Assert.Equal((403, """{"detail":"DPoP is required"}"""), Answer(TokenRejection.DPoPRequired, ErrorContract.Sample));
        Assert.Equal((401, """{"error":"invalid_request","error_description":"DPoP is required"}"""), Answer(TokenRejection.DPoPRequired, ErrorContract.Rfc6750));
    }

    [Fact]
    public void An_invalid_proof_is_a_400_under_the_sample_and_a_401_invalid_dpop_proof_under_RFC_6750()
    {
        Assert.Equal((400, """{"status":"error","msg":"DPoP proof is too old"}"""), Answer(TokenRejection.ProofTooOld, ErrorContract.Sample));
        Assert.Equal((401, """{"error":"invalid_dpop_proof","error_description":"DPoP proof is too old"}"""), Answer(TokenRejection.ProofTooOld, ErrorContract.Rfc6750));
    }

    [Theory]
    [InlineData(ErrorContract.Sample, """{"status":"error","msg":"DPoP proof needs the server's nonce"}""")]
    [InlineData(ErrorContract.Rfc6750, """{"error":"use_dpop_nonce","error_description":"DPoP proof needs the server's nonce"}""")]
    public void The_nonce_challenge_is_a_401_under_either_contract(ErrorContract contract, string body) =>
        Assert.Equal((401, body), Answer(TokenRejection.MissingNonce, contract));

    [Theory]
    [InlineData(ErrorContract.Sample)]
    [InlineData(ErrorContract.Rfc6750)]
    public void A_full_replay_memory_is_a_503_to_retry_later(ErrorContract contract)
    {
        Assert.Equal(503, Answer(TokenRejection.ReplayMemoryFull, contract).Status);
        Assert.True(TokenRejection.ReplayMemoryFull.RetryLater);
    }

    [Fact]
    public void Under_RFC_6750_insufficient_scope_is_the_only_rejection_answered_403()
    {
        var rfc6750 = new Rfc6750ErrorContract();
        var forbidden = TokenRejection.All.Where(r => rfc6750.Status(r) == HttpStatusCode.Forbidden);

        Assert.Same(TokenRejection.InsufficientScope, Assert.Single(forbidden));
    }

    [Theory]
    [InlineData(ErrorContract.Sample, """{"status":"error","msg":"DPoP replay store is unavailable; try again later"}""")]
    [InlineData(ErrorContract.Rfc6750, """{"error":"temporarily_unavailable","error_description":"DPoP replay store is unavailable; try again later"}""")]
    public void An_unavailable_replay_store_is_a_503_to_retry_later(ErrorContract contract, string body)
    {
        Assert.Equal((503, body), Answer(TokenRejection.ReplayStoreUnavailable, contract));
        Assert.True(TokenRejection.ReplayStoreUnavailable.RetryLater);
    }

    private static (int Status, string Body) Answer(TokenRejection rejection, ErrorContract contract)
    {
        var answers = ErrorContractAnswers.For(contract);
        return ((int)answers.Status(rejection), Encoding.UTF8.GetString(answers.Body(rejection).Span));
    }
}
